// Package assets holds files embedded from the repository root. It exists because //go:embed cannot
// reach parent directories, so the catalogue at the root has to be embedded by a root package.
package assets

import _ "embed"

// PromptsJSON is the built-in prompt catalogue (prompts.json at the repository root).
//
//go:embed prompts.json
var PromptsJSON []byte
