#!/bin/bash
# Reference: dpkg --compare-versions.  Reads "a<TAB>b" lines, prints -1, 0, 1
# or "invalid" (dpkg rejected a version or warned that its syntax is bad).
err=$(mktemp)
trap 'rm -f "$err"' EXIT
while IFS= read -r line; do
	a=${line%%$'\t'*}
	b=${line#*$'\t'}
	if dpkg --compare-versions "$a" lt "$b" 2>"$err"; then
		r=-1
	else
		r=
	fi
	if [ -s "$err" ]; then
		r=invalid
	elif [ -z "$r" ]; then
		if dpkg --compare-versions "$a" eq "$b"; then r=0; else r=1; fi
	fi
	echo "$r"
done
