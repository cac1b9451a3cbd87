package tools

import (
	"fmt"
	"strings"
)

// MarkdownTable renders tools as the README's table.
func MarkdownTable(list []Info) string {
	var b strings.Builder
	b.WriteString("| tool | toolset | read-only | what it does |\n|---|---|---|---|\n")
	for _, t := range list {
		ro := "yes"
		if !t.ReadOnly {
			ro = "no (needs `-read-only=false`)"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", t.Name, t.Toolset, ro, strings.ReplaceAll(t.Description, "|", `\|`))
	}
	return b.String()
}
