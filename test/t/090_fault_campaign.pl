# Quick mode of test/campaign/fault_campaign.pl for CI: a few rounds of random faults
# and kills; PKGMETA_CAMPAIGN_SEED repeats a run.
use strict;
use warnings;
# loaded here: their INIT blocks must run before the campaign file is read
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;

$ENV{PKGMETA_CAMPAIGN_ROUNDS} //= 10;
my $campaign = "$ENV{PKGMETA_SRC}/test/campaign/fault_campaign.pl";
do $campaign;
die "$campaign: $@" if $@;
