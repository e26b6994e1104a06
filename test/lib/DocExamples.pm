# Reads the checked parts of the documentation, so that tests (and ./run)
# use exactly what a reader sees.  The conventions are stated in
# doc/contributing.md, "Documentation conventions":
#
# README.md tour: between the lines "<!-- tour -->" and "<!-- /tour -->",
# every ```sql block is followed by a ``` block (no language) holding what
# `psql -X -q -P footer=off` prints for it, NOTICEs included.
#
# doc/reference.md: a function is documented by a heading
#   ### `name(arg type, ...) returns ...`      (or `CALL name(...)`)
# whose arguments are the input arguments, each "name type" with an optional
# DEFAULT; a setting by a row of the table under "## Settings" whose first
# cell is `pkgmeta.name`, then its default, then who may set it.
package DocExamples;

use strict;
use warnings;

use Exporter 'import';
our @EXPORT_OK = qw(tour_examples reference_functions reference_settings);

sub slurp
{
	my ($file) = @_;
	open(my $fh, '<', $file) or die "$file: $!";
	local $/;
	return <$fh>;
}

# [ { sql => ..., expected => ..., line => N }, ... ] in README order.
sub tour_examples
{
	my ($readme) = @_;
	my @lines = split /\n/, slurp($readme), -1;
	my ($in_tour, @examples, $block, $lang, $start) = (0);
	for my $i (0 .. $#lines)
	{
		my $l = $lines[$i];
		if (!defined $block)
		{
			if ($l eq '<!-- tour -->') { $in_tour = 1; next; }
			if ($l eq '<!-- /tour -->') { $in_tour = 0; next; }
			next unless $in_tour;
			if ($l =~ /^```(\w*)\s*$/)
			{
				($block, $lang, $start) = ('', $1, $i + 1);
			}
			next;
		}
		if ($l =~ /^```\s*$/)
		{
			if ($lang eq 'sql')
			{
				push @examples, { sql => $block, line => $start };
			}
			elsif ($lang eq '' && @examples && !defined $examples[-1]{expected})
			{
				$examples[-1]{expected} = $block;
			}
			else
			{
				die "$readme:$start: a ```$lang block in the tour that is neither SQL nor "
				  . "the output of the SQL block before it\n";
			}
			undef $block;
			next;
		}
		$block .= "$l\n";
	}
	die "$readme: no tour (<!-- tour --> ... <!-- /tour -->) with ```sql blocks\n"
	  unless @examples;
	for my $e (@examples)
	{
		die "$readme:$e->{line}: SQL block of the tour without an output block after it\n"
		  unless defined $e->{expected};
	}
	return @examples;
}

# Input argument types of a documented signature: "a text, b int DEFAULT 1"
# -> ("text", "int").  OUT arguments are not part of a function's identity.
sub argument_types
{
	my ($args, $where) = @_;
	my @types;
	for my $arg (split /,/, $args)
	{
		$arg =~ s/^\s+|\s+$//g;
		next if $arg eq '';
		$arg =~ s/\s+DEFAULT\s+.*$//i;
		next if $arg =~ /^OUT\s/i;
		$arg =~ s/^(IN|VARIADIC)\s+//i;
		my ($name, $type) = $arg =~ /^(\w+)\s+(.+)$/
		  or die "$where: argument \"$arg\" is not written as \"name type\"\n";
		push @types, $type;
	}
	return @types;
}

# [ { name => 'pkgmeta_licenses', types => [...], heading => ..., line => N } ]
sub reference_functions
{
	my ($reference) = @_;
	my @found;
	my $n = 0;
	for my $l (split /\n/, slurp($reference))
	{
		$n++;
		next unless $l =~ /^###\s+`(?:CALL\s+)?([\w.]+)\((.*)`\s*$/;
		my ($name, $rest) = ($1, $2);
		# the arguments end at the parenthesis that closes the first one
		my ($depth, $end) = (1, undef);
		for my $i (0 .. length($rest) - 1)
		{
			my $c = substr($rest, $i, 1);
			$depth++ if $c eq '(';
			$depth-- if $c eq ')';
			if ($depth == 0) { $end = $i; last; }
		}
		die "$reference:$n: unbalanced parentheses in \"$l\"\n" unless defined $end;
		push @found,
		  {
			name => $name,
			types => [ argument_types(substr($rest, 0, $end), "$reference:$n") ],
			heading => $l,
			line => $n
		  };
	}
	return @found;
}

# { 'pkgmeta.x' => { default => ..., set_by => ..., line => N } } from the
# table of the "## Settings" section.  A default written *empty* is ''.
sub reference_settings
{
	my ($reference) = @_;
	my (%settings, $in);
	my $n = 0;
	for my $l (split /\n/, slurp($reference))
	{
		$n++;
		if ($l =~ /^##\s/) { $in = ($l =~ /^##\s+Settings\s*$/); next; }
		next unless $in && $l =~ /^\|\s*`(pkgmeta\.[\w.]+)`\s*\|([^|]*)\|([^|]*)\|/;
		my ($name, $default, $set_by) = ($1, $2, $3);
		for ($default, $set_by) { s/^\s+|\s+$//g; }
		$default = '' if $default eq '*empty*';
		$default =~ s/^`(.*)`$/$1/;
		die "$reference:$n: $name is in the settings table twice\n" if $settings{$name};
		$settings{$name} = { default => $default, set_by => $set_by, line => $n };
	}
	return \%settings;
}

1;
