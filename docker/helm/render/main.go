// Command render is a small stand-in for `helm template` and a manifest checker, for machines
// without helm (Debian has none). It uses Go's text/template with the sprig functions, as Helm
// does, plus Helm's include, tpl, toYaml and required.
//
//	render template CHART_DIR [-f VALUES.yaml]...   prints the rendered manifests
//	render check FILE...                            validates manifests (multi-document YAML)
//
// check decodes every document and fails on: a document without apiVersion, kind or
// metadata.name; a workload whose selector does not match its pod template's labels; a
// container without image or resources; a probe or Service targetPort naming a port the pods
// do not declare; a Service or NetworkPolicy or PodDisruptionBudget selecting no workload's pods;
// a volumeMount without a volume or claim template. Build offline in GOPATH mode:
// GO111MODULE=off GOPATH=/usr/share/gocode go build.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v3"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: render template CHART [-f values.yaml]... | render check FILE...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "template":
		var out string
		out, err = render(os.Args[2], os.Args[3:])
		if err == nil {
			fmt.Print(out)
		}
	case "check":
		err = checkFiles(os.Args[2:])
	default:
		err = fmt.Errorf("unknown verb %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "render:", err)
		os.Exit(1)
	}
}

// ---------------------------------------------------------------- template

func readYAML(path string) (map[string]interface{}, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := map[string]interface{}{}
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return m, nil
}

// merge overlays src onto dst, recursively for maps, as helm -f does.
func merge(dst, src map[string]interface{}) {
	for k, v := range src {
		if sm, ok := v.(map[string]interface{}); ok {
			if dm, ok := dst[k].(map[string]interface{}); ok {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

func toYAML(v interface{}) string {
	b, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(b), "\n")
}

func render(chart string, args []string) (string, error) {
	values, err := readYAML(filepath.Join(chart, "values.yaml"))
	if err != nil {
		return "", err
	}
	for i := 0; i < len(args); i++ {
		if args[i] != "-f" || i+1 == len(args) {
			return "", fmt.Errorf("expected -f FILE, got %q", args[i])
		}
		extra, err := readYAML(args[i+1])
		if err != nil {
			return "", err
		}
		merge(values, extra)
		i++
	}
	meta, err := readYAML(filepath.Join(chart, "Chart.yaml"))
	if err != nil {
		return "", err
	}
	data := map[string]interface{}{
		"Values":  values,
		"Release": map[string]interface{}{"Name": "sluice", "Namespace": "default", "Service": "Helm"},
		"Chart": map[string]interface{}{"Name": meta["name"], "Version": meta["version"],
			"AppVersion": meta["appVersion"]},
	}
	t := template.New("chart").Option("missingkey=error")
	funcs := sprig.TxtFuncMap()
	funcs["toYaml"] = toYAML
	funcs["include"] = func(name string, d interface{}) (string, error) {
		var b bytes.Buffer
		err := t.ExecuteTemplate(&b, name, d)
		return b.String(), err
	}
	funcs["tpl"] = func(text string, d interface{}) (string, error) {
		x, err := t.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var b bytes.Buffer
		err = x.Execute(&b, d)
		return b.String(), err
	}
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil || v == "" {
			return nil, fmt.Errorf("%s", msg)
		}
		return v, nil
	}
	t.Funcs(funcs)
	files, _ := filepath.Glob(filepath.Join(chart, "templates", "*"))
	sort.Strings(files)
	var manifests []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		if _, err := t.New(filepath.Base(f)).Parse(string(b)); err != nil {
			return "", err
		}
		if !strings.HasPrefix(filepath.Base(f), "_") {
			manifests = append(manifests, filepath.Base(f))
		}
	}
	var out strings.Builder
	for _, name := range manifests {
		var b bytes.Buffer
		if err := t.ExecuteTemplate(&b, name, data); err != nil {
			return "", err
		}
		if strings.TrimSpace(b.String()) == "" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: sluice/templates/%s\n%s\n", name, strings.TrimSpace(b.String()))
	}
	return out.String(), nil
}
