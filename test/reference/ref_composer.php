<?php
// Reference: composer/semver (Debian php-composer-semver): VersionParser's
// normalization, then Comparator.  Reads "a<TAB>b" lines, prints -1, 0, 1 or
// "invalid".
require_once '/usr/share/php/Composer/Semver/autoload.php';

use Composer\Semver\Comparator;
use Composer\Semver\VersionParser;

$parser = new VersionParser();
while (($line = fgets(STDIN)) !== false) {
	[$a, $b] = explode("\t", rtrim($line, "\n"));
	try {
		$na = $parser->normalize($a);
		$nb = $parser->normalize($b);
		if (strncmp($na, 'dev-', 4) === 0 || strncmp($nb, 'dev-', 4) === 0) {
			echo "invalid\n";	// branches have no order
		} elseif (Comparator::lessThan($na, $nb)) {
			echo "-1\n";
		} elseif (Comparator::equalTo($na, $nb)) {
			echo "0\n";
		} else {
			echo "1\n";
		}
	} catch (UnexpectedValueException $e) {
		echo "invalid\n";
	}
}
