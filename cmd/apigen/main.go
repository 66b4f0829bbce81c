package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

func main() {
	models := flag.String("models", "api/models", "directory of pinned models (*.json)")
	out := flag.String("out", "internal/awsapi", "directory receiving one package per model")
	strip := flag.Bool("strip", false, "refresh the pinned models from -botocore instead of generating")
	botocore := flag.String("botocore", "", "botocore's data directory (with -strip)")
	flag.Parse()
	var err error
	if *strip {
		err = stripModels(*botocore, *models)
	} else {
		err = generateAll(*models, *out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "apigen:", err)
		os.Exit(1)
	}
}

// generateAll writes <out>/<pkg>/zz_generated.go for every model.
func generateAll(modelsDir, outDir string) error {
	files, err := filepath.Glob(filepath.Join(modelsDir, "*.json"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no models in %s", modelsDir)
	}
	slices.Sort(files)
	for _, f := range files {
		pkg, src, err := generate(f, "api/models/"+filepath.Base(f))
		if err != nil {
			return err
		}
		dir := filepath.Join(outDir, pkg)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "zz_generated.go"), src, 0o644); err != nil {
			return err
		}
	}
	return nil
}
