#!/usr/bin/perl
# Prints the SQL of README.md's five-minute tour, block after block, for
# ./run to feed to psql; test/t/097_readme_tour.pl checks the output the
# README shows for each block.
#   perl -Itest/lib test/demo/tour.pl README.md
use strict;
use warnings;
use DocExamples qw(tour_examples);

print $_->{sql}, "\n" for tour_examples($ARGV[0] // 'README.md');
