package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

type obj = map[string]interface{}

func get(m interface{}, path ...string) interface{} {
	for _, p := range path {
		mm, ok := m.(obj)
		if !ok {
			return nil
		}
		m = mm[p]
	}
	return m
}

func list(v interface{}) []interface{} {
	l, _ := v.([]interface{})
	return l
}

func str(v interface{}) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// subset reports whether every key=value of sel is in labels.
func subset(sel, labels interface{}) bool {
	s, _ := sel.(obj)
	l, _ := labels.(obj)
	if len(s) == 0 {
		return false
	}
	for k, v := range s {
		if str(l[k]) != str(v) {
			return false
		}
	}
	return true
}

var workloads = map[string]bool{"Deployment": true, "StatefulSet": true, "DaemonSet": true}

func checkFiles(files []string) error {
	var docs []obj
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var d obj
			err := dec.Decode(&d)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("%s: %v", f, err)
			}
			if d == nil {
				continue
			}
			if _, ok := d["resources"]; ok && d["kind"] == "Kustomization" {
				continue
			}
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		return fmt.Errorf("no manifests in %v", files)
	}
	var problems []string
	bad := func(d obj, format string, a ...interface{}) {
		problems = append(problems, fmt.Sprintf("%s/%s: %s", str(d["kind"]), str(get(d, "metadata", "name")),
			fmt.Sprintf(format, a...)))
	}
	var podLabels []interface{}
	for _, d := range docs {
		for _, k := range []string{"apiVersion", "kind"} {
			if str(d[k]) == "" {
				bad(d, "no %s", k)
			}
		}
		if str(get(d, "metadata", "name")) == "" {
			bad(d, "no metadata.name")
		}
		if !workloads[str(d["kind"])] {
			continue
		}
		labels := get(d, "spec", "template", "metadata", "labels")
		podLabels = append(podLabels, labels)
		if !subset(get(d, "spec", "selector", "matchLabels"), labels) {
			bad(d, "spec.selector.matchLabels does not match the pod template's labels")
		}
		pod := get(d, "spec", "template", "spec")
		volumes := map[string]bool{}
		for _, v := range list(get(pod, "volumes")) {
			volumes[str(get(v, "name"))] = true
		}
		for _, v := range list(get(d, "spec", "volumeClaimTemplates")) {
			volumes[str(get(v, "metadata", "name"))] = true
			if str(get(v, "spec", "resources", "requests", "storage")) == "" {
				bad(d, "volumeClaimTemplate %s has no storage request", str(get(v, "metadata", "name")))
			}
		}
		for _, c := range list(get(pod, "containers")) {
			name := str(get(c, "name"))
			if str(get(c, "image")) == "" {
				bad(d, "container %s has no image", name)
			}
			if get(c, "resources", "limits", "memory") == nil || get(c, "resources", "requests", "memory") == nil {
				bad(d, "container %s has no memory request and limit", name)
			}
			ports := map[string]bool{}
			for _, p := range list(get(c, "ports")) {
				ports[str(get(p, "name"))] = true
				ports[str(get(p, "containerPort"))] = true
			}
			for _, probe := range []string{"startupProbe", "readinessProbe", "livenessProbe"} {
				p := get(c, probe)
				if p == nil {
					bad(d, "container %s has no %s", name, probe)
					continue
				}
				port := get(p, "httpGet", "port")
				if port == nil {
					port = get(p, "grpc", "port")
				}
				if port != nil && !ports[str(port)] {
					bad(d, "container %s: %s port %v is not a container port", name, probe, port)
				}
			}
			for _, m := range list(get(c, "volumeMounts")) {
				if !volumes[str(get(m, "name"))] {
					bad(d, "container %s mounts %s, which is no volume", name, str(get(m, "name")))
				}
			}
		}
		for _, d2 := range docs {
			if d2["kind"] != "Service" {
				continue
			}
			for _, p := range list(get(d2, "spec", "ports")) {
				tp := str(get(p, "targetPort"))
				found := false
				for _, c := range list(get(pod, "containers")) {
					for _, cp := range list(get(c, "ports")) {
						if str(get(cp, "name")) == tp || str(get(cp, "containerPort")) == tp {
							found = true
						}
					}
				}
				if !found && subset(get(d2, "spec", "selector"), labels) {
					bad(d2, "targetPort %s is not a port of %s", tp, str(get(d, "metadata", "name")))
				}
			}
		}
	}
	selects := func(sel interface{}) bool {
		for _, l := range podLabels {
			if subset(sel, l) {
				return true
			}
		}
		return false
	}
	for _, d := range docs {
		switch str(d["kind"]) {
		case "StatefulSet":
			// Its governing Service must exist and be headless (the pods' stable DNS names).
			name := str(get(d, "spec", "serviceName"))
			headless := false
			for _, d2 := range docs {
				if d2["kind"] == "Service" && str(get(d2, "metadata", "name")) == name {
					headless = str(get(d2, "spec", "clusterIP")) == "None"
				}
			}
			if !headless {
				bad(d, "serviceName %q is not a headless Service in these manifests", name)
			}
		case "Service":
			if !selects(get(d, "spec", "selector")) {
				bad(d, "selects no workload's pods")
			}
		case "PodDisruptionBudget":
			if !selects(get(d, "spec", "selector", "matchLabels")) {
				bad(d, "selects no workload's pods")
			}
		case "NetworkPolicy":
			if !selects(get(d, "spec", "podSelector", "matchLabels")) {
				bad(d, "selects no workload's pods")
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d problem(s):\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	fmt.Printf("ok: %d manifests (%s)\n", len(docs), strings.Join(files, " "))
	return nil
}
