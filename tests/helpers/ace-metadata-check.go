// ace-metadata-check runs the appc ACE validator's own metadata service checks against the service at
// $AC_METADATA_URL, without a pod: the build copies Debian's golang-github-appc-spec-dev ace/*.go beside
// this file, renames their main() to aceMain(), and compiles ValidateMetadataSvc() as it is — the very
// requests (URLs, headers, form bodies, 100 ms timeout) and comparisons the validator makes inside a pod.
// Prints "metadata OK" and exits 0, or one "==> error" line per problem and exits 1.
package main

import (
	"fmt"
	"os"
)

func main() {
	errs := ValidateMetadataSvc()
	for _, e := range errs {
		fmt.Println("==>", e)
	}
	if len(errs) > 0 {
		os.Exit(1)
	}
	fmt.Println("metadata OK")
}
