// Reference: golang.org/x/mod/semver (Debian golang-golang-x-mod-dev), the
// ordering of the go command.  Reads "a<TAB>b" lines, prints -1, 0, 1 or
// "invalid".  Go requires the leading "v", which the export's lookups strip:
// it is added when missing; a leading "=" (allowed for every SemVer type by
// the issue, npm's habit) is dropped first.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/semver"
)

func withV(v string) string {
	v = strings.TrimPrefix(v, "=")
	if strings.HasPrefix(v, "v") {
		return v
	}
	return "v" + v
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<30)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		f := strings.SplitN(in.Text(), "\t", 2)
		a, b := withV(f[0]), withV(f[1])
		if !semver.IsValid(a) || !semver.IsValid(b) {
			fmt.Fprintln(out, "invalid")
		} else {
			fmt.Fprintln(out, semver.Compare(a, b))
		}
	}
}
