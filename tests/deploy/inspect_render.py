#!/usr/bin/python3
"""Reads one rendered kustomization (YAML on stdin is converted by `tojson`; this script takes the
JSON) and extracts what tests/integration/test_deploy.sh checks against the real binary.

  inspect_render.py tojson < rendered.yaml > rendered.json
  inspect_render.py inspect RENDERED.json OUTDIR LISTEN_PORT ADMIN_PORT

`inspect` writes OUTDIR/config/ (the data of the ConfigMap the Deployment mounts at its --config
path), OUTDIR/args (the container's args, one per line, with --config pointing at OUTDIR/config
and --listen/--admin moved to 127.0.0.1 and the given ports) and prints a JSON summary.
"""
import json
import os
import sys

import yaml


def resolve_port(port, ports):
    """A probe or Service port: a number, or the name of a container port."""
    if isinstance(port, int):
        return port
    return ports.get(port)


def inspect(path, outdir, listen_port, admin_port):
    docs = json.load(open(path))
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
    s = {}
    dep = by_kind["Deployment"][0]
    pod = dep["spec"]["template"]["spec"]
    c = [c for c in pod["containers"] if c["name"] == "lambdagate"][0]
    args = list(c.get("args", []))
    ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
    s["container_ports"] = ports

    def arg(flag):
        return args[args.index(flag) + 1] if flag in args else None

    s["config_arg"] = arg("--config")
    s["listen_port"] = int(arg("--listen").rsplit(":", 1)[1]) if arg("--listen") else None
    s["admin_port"] = int(arg("--admin").rsplit(":", 1)[1]) if arg("--admin") else None
    s["listen_host"] = arg("--listen").rsplit(":", 1)[0] if arg("--listen") else None
    s["admin_host"] = arg("--admin").rsplit(":", 1)[0] if arg("--admin") else None
    s["probes"] = {}
    for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
        p = c.get(kind)
        if p and "httpGet" in p:
            s["probes"][kind] = {"path": p["httpGet"]["path"],
                                 "port": resolve_port(p["httpGet"]["port"], ports)}

    # The volume mounted at the --config path and the ConfigMap behind it.
    mounts = {m["name"]: m["mountPath"] for m in c.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    s["config_mount"] = None
    cm_name = None
    for name, mpath in mounts.items():
        v = volumes.get(name, {})
        if "configMap" in v:
            s["config_mount"] = mpath
            cm_name = v["configMap"]["name"]
    cms = {d["metadata"]["name"]: d for d in by_kind.get("ConfigMap", [])}
    s["configmap_found"] = cm_name in cms
    # Laid out as the kubelet mounts a ConfigMap: KEY -> ..data/KEY, ..data -> ..<timestamp>/.
    cfg = os.path.join(outdir, "config")
    stamp = os.path.join(cfg, "..2026_01_01_00_00_00.000000001")
    os.makedirs(stamp, exist_ok=True)
    os.symlink(os.path.basename(stamp), os.path.join(cfg, "..data"))
    if cm_name in cms:
        for key, text in cms[cm_name].get("data", {}).items():
            with open(os.path.join(stamp, key), "w") as f:
                f.write(text)
            os.symlink(os.path.join("..data", key), os.path.join(cfg, key))
        s["config_files"] = sorted(cms[cm_name].get("data", {}))

    sc = c.get("securityContext", {})
    psc = pod.get("securityContext", {})
    s["run_as_user"] = sc.get("runAsUser", psc.get("runAsUser"))
    s["run_as_non_root"] = sc.get("runAsNonRoot", psc.get("runAsNonRoot"))
    s["read_only_root"] = sc.get("readOnlyRootFilesystem")
    s["no_privilege_escalation"] = sc.get("allowPrivilegeEscalation") is False
    s["drop"] = sc.get("capabilities", {}).get("drop")
    s["grace"] = pod.get("terminationGracePeriodSeconds", 30)
    s["topology_spread"] = len(pod.get("topologySpreadConstraints", []))
    res = c.get("resources", {})
    s["cpu_request"] = res.get("requests", {}).get("cpu")
    s["memory_limit"] = res.get("limits", {}).get("memory")

    labels = dep["spec"]["template"]["metadata"]["labels"]
    sel_ok = lambda sel: all(labels.get(k) == v for k, v in sel.items())
    svc = by_kind["Service"][0]
    s["service_type"] = svc["spec"].get("type", "ClusterIP")
    s["service_selects_pods"] = sel_ok(svc["spec"]["selector"])
    s["service_target_ports"] = [resolve_port(p["targetPort"], ports) for p in svc["spec"]["ports"]]
    s["service_annotations"] = svc["metadata"].get("annotations", {})
    pdb = by_kind["PodDisruptionBudget"][0]
    s["pdb_selects_pods"] = sel_ok(pdb["spec"]["selector"]["matchLabels"])
    hpa = by_kind["HorizontalPodAutoscaler"][0]
    s["hpa_target"] = hpa["spec"]["scaleTargetRef"]["kind"] + "/" + hpa["spec"]["scaleTargetRef"]["name"]
    s["hpa_api"] = hpa["apiVersion"]
    s["hpa_metric"] = hpa["spec"]["metrics"][0]["resource"]["name"]
    s["deployment_name"] = "Deployment/" + dep["metadata"]["name"]
    sa = by_kind["ServiceAccount"][0]
    s["pod_service_account"] = pod.get("serviceAccountName") == sa["metadata"]["name"]
    s["role_arn"] = sa["metadata"].get("annotations", {}).get("eks.amazonaws.com/role-arn", "")
    ns = {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"}
    s["namespaces"] = sorted(n or "" for n in ns)
    s["namespace_doc"] = [d["metadata"]["name"] for d in by_kind.get("Namespace", [])]
    s["image"] = c.get("image")

    # The same args, run locally: config from the ConfigMap, loopback and free ports.
    local = list(args)
    for flag, value in (("--config", cfg), ("--listen", f"127.0.0.1:{listen_port}"),
                        ("--admin", f"127.0.0.1:{admin_port}")):
        if flag in local:
            local[local.index(flag) + 1] = value
    with open(os.path.join(outdir, "args"), "w") as f:
        f.write("\n".join(local) + "\n")
    print(json.dumps(s))


def canonical(paths):
    """Every document of the YAML files under the given dirs, keyed by kind/namespace/name."""
    out = {}
    for d in paths:
        for name in sorted(os.listdir(d)):
            if name.endswith((".yaml", ".yml")):
                for doc in yaml.safe_load_all(open(os.path.join(d, name))):
                    if doc:
                        md = doc.get("metadata", {})
                        key = f'{doc.get("kind")}/{md.get("namespace", "default")}/{md.get("name")}'
                        out[key] = doc
    return out


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "tojson":
        json.dump([d for d in yaml.safe_load_all(sys.stdin) if d], sys.stdout)
    elif cmd == "inspect":
        inspect(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif cmd == "same-config":
        # same-config DIR_A DIR_B: prints "same" or the differing documents.
        a, b = canonical([sys.argv[2]]), canonical([sys.argv[3]])
        diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        print("same" if not diff and a else "differ: " + ", ".join(diff or ["no documents"]))
    else:
        sys.exit(f"unknown command {cmd}")
