import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "@/server/config";
import { ROOT } from "../helpers/server";

// No cluster runs here: every kustomization is rendered with `kubectl kustomize`, every object validated against
// the Kubernetes schemas (kubernetes-models), and the contracts the README promises are checked on the result.
type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; data?: Record<string, string>; stringData?: Record<string, string> };
type Container = { name: string; image: string; command?: string[]; env?: { name: string; value?: string; valueFrom?: any }[]; envFrom?: { configMapRef?: { name: string } }[]; securityContext?: any; resources?: any; volumeMounts?: { name: string; mountPath: string }[]; startupProbe?: any; readinessProbe?: any; livenessProbe?: any; ports?: any[] };

const K8S = path.join(ROOT, "deploy", "k8s");
const KUSTOMIZATIONS = ["overlays/embedded", "overlays/postgres", "gateway-api"];
const rendered: Record<string, K8sObject[]> = {};

function render(dir: string): K8sObject[] {
  const text = execFileSync("kubectl", ["kustomize", path.join(K8S, dir)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return parseAllDocuments(text).map((document) => document.toJSON() as K8sObject).filter(Boolean);
}

const readYaml = (file: string) => parseAllDocuments(fs.readFileSync(file, "utf8")).map((document) => document.toJSON() as K8sObject);

/** The kubernetes-models class for an object's apiVersion and kind (the Gateway API's from its own package). */
async function modelFor(object: K8sObject): Promise<new (data: unknown) => { validate(): void }> {
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["", object.apiVersion];
  const module = group === "gateway.networking.k8s.io"
    ? await import(`@kubernetes-models/gateway-api/${group}/${version}/${object.kind}`)
    : await import(group ? `kubernetes-models/${group}/${version}/${object.kind}` : `kubernetes-models/${version}/${object.kind}`);
  return module[object.kind];
}

const find = (objects: K8sObject[], kind: string, name?: string) => objects.filter((object) => object.kind === kind && (!name || object.metadata.name === name));
const one = (objects: K8sObject[], kind: string, name?: string) => {
  const found = find(objects, kind, name);
  expect(found, `${kind} ${name ?? ""}`).toHaveLength(1);
  return found[0]!;
};
/** Every pod template: the Deployment's, the Job's and the CronJob's. */
function podSpecs(objects: K8sObject[]): [string, any][] {
  return objects.flatMap((object): [string, any][] => {
    if (object.kind === "Deployment" || object.kind === "Job") return [[`${object.kind}/${object.metadata.name}`, object.spec.template.spec]];
    if (object.kind === "CronJob") return [[`CronJob/${object.metadata.name}`, object.spec.jobTemplate.spec.template.spec]];
    return [];
  });
}
const containersOf = (spec: any): Container[] => [...(spec.initContainers ?? []), ...spec.containers];
const envNames = (container: Container) => (container.env ?? []).map((entry) => entry.name);
const secretKeys = (container: Container) => (container.env ?? []).flatMap((entry) => (entry.valueFrom?.secretKeyRef ? [entry.valueFrom.secretKeyRef.key as string] : []));

/** The variable names the README's configuration table documents. */
function readmeVariables(): Set<string> {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const table = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("\n## ", readme.indexOf("## Configuration") + 5));
  return new Set([...table.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((match) => match[1]!));
}

beforeAll(() => {
  for (const dir of KUSTOMIZATIONS) rendered[dir] = render(dir);
});

describe("Kubernetes manifests", () => {
  it("render with kubectl kustomize, and every object (and each overlay's example Secret) validates against the Kubernetes schemas", async () => {
    for (const dir of KUSTOMIZATIONS) {
      expect(rendered[dir]!.length, dir).toBeGreaterThan(0);
      const examples = fs.existsSync(path.join(K8S, dir, "secret.example.yaml")) ? readYaml(path.join(K8S, dir, "secret.example.yaml")) : [];
      for (const object of [...rendered[dir]!, ...examples]) {
        const Model = await modelFor(object);
        expect(() => new Model(object).validate(), `${dir}: ${object.kind}/${object.metadata.name}`).not.toThrow();
        expect(object.metadata.namespace, `${object.kind} namespace`).toBe("hive");
        expect(object.metadata.labels, `${object.kind} labels`).toMatchObject({ "app.kubernetes.io/name": "hive-dashboard", "app.kubernetes.io/part-of": "hive" });
      }
    }
  });

  it("use every file under deploy/k8s: each is a kustomization, is named by one, or is a Secret example that is checked", () => {
    const referenced = new Set<string>();
    const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
    for (const file of walk(K8S).filter((file) => file.endsWith("kustomization.yaml"))) {
      referenced.add(file);
      const kustomization = readYaml(file)[0] as unknown as Record<string, string[]>;
      for (const key of ["resources", "bases", "patchesStrategicMerge"]) {
        for (const entry of kustomization[key] ?? []) {
          const target = path.resolve(path.dirname(file), entry);
          if (fs.statSync(target).isFile()) referenced.add(target);
        }
      }
    }
    const unused = walk(K8S).filter((file) => !referenced.has(file) && path.basename(file) !== "secret.example.yaml");
    expect(unused).toEqual([]);
  });

  it("give every container non-root, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp, resources, and writable emptyDirs or volumes only where the README says", () => {
    const dockerfileUser = /^USER (\d+):(\d+)$/m.exec(fs.readFileSync(path.join(ROOT, "Dockerfile"), "utf8"))!;
    for (const dir of ["overlays/embedded", "overlays/postgres"]) {
      const specs = podSpecs(rendered[dir]!);
      expect(specs.length).toBeGreaterThanOrEqual(2);
      for (const [where, spec] of specs) {
        expect(spec.securityContext, where).toMatchObject({ runAsNonRoot: true, runAsUser: Number(dockerfileUser[1]), runAsGroup: Number(dockerfileUser[2]), seccompProfile: { type: "RuntimeDefault" } });
        expect(spec.automountServiceAccountToken, where).toBe(false);
        const volumes = new Map((spec.volumes ?? []).map((volume: { name: string }) => [volume.name, volume]));
        for (const container of containersOf(spec)) {
          const label = `${where} ${container.name}`;
          expect(container.securityContext, label).toEqual({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
          expect(container.resources?.requests?.cpu, label).toBeTruthy();
          expect(container.resources?.requests?.memory, label).toBeTruthy();
          expect(container.resources?.limits?.memory, label).toBeTruthy();
          for (const mount of container.volumeMounts ?? []) {
            expect(["/tmp", "/data", "/backups"], label).toContain(mount.mountPath);
            const volume = volumes.get(mount.name) as Record<string, unknown> | undefined;
            expect(volume && (volume.emptyDir || volume.persistentVolumeClaim), `${label} ${mount.mountPath}`).toBeTruthy();
          }
          expect((container.volumeMounts ?? []).map((mount) => mount.mountPath), label).toContain("/tmp");
        }
      }
    }
  });

  it("probe readiness on /dashboard-healthz, liveness on /dashboard-livez (never failing for a database or engine outage), with a startup probe", () => {
    for (const dir of ["overlays/embedded", "overlays/postgres"]) {
      const deployment = one(rendered[dir]!, "Deployment", "hive-dashboard");
      const dashboard = deployment.spec.template.spec.containers.find((container: Container) => container.name === "dashboard") as Container;
      expect(dashboard.readinessProbe.httpGet).toEqual({ path: "/dashboard-healthz", port: "http" });
      expect(dashboard.livenessProbe.httpGet).toEqual({ path: "/dashboard-livez", port: "http" });
      expect(dashboard.startupProbe.httpGet).toEqual({ path: "/dashboard-livez", port: "http" });
      // The startup probe covers a slow first start (the embedded database's initdb): a minute at least.
      expect(dashboard.startupProbe.periodSeconds * dashboard.startupProbe.failureThreshold).toBeGreaterThanOrEqual(60);
      expect(dashboard.ports).toEqual([{ name: "http", containerPort: 3000 }]);
      expect(deployment.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
        Number(one(rendered[dir]!, "ConfigMap", "hive-dashboard").data!.HIVE_SHUTDOWN_TIMEOUT_MS),
      );
    }
  });

  it("embedded: one replica on a volume-backed data directory, Recreate, a fixed hostname for the lock, no PostgreSQL", () => {
    const objects = rendered["overlays/embedded"]!;
    const deployment = one(objects, "Deployment", "hive-dashboard");
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: "Recreate" });
    expect(deployment.spec.template.spec.hostname).toBe("hive-dashboard");
    const data = deployment.spec.template.spec.volumes.find((volume: { name: string }) => volume.name === "data");
    expect(data).toEqual({ name: "data", persistentVolumeClaim: { claimName: "hive-data" } });
    one(objects, "PersistentVolumeClaim", "hive-data");
    expect(find(objects, "Job")).toEqual([]);
    expect(find(objects, "PodDisruptionBudget")).toEqual([]);
    for (const [where, spec] of podSpecs(objects)) for (const container of containersOf(spec)) expect(envNames(container), where).not.toContain("DATABASE_URL");
    const ports = one(objects, "NetworkPolicy").spec.egress.flatMap((rule: { ports: { port: number }[] }) => rule.ports.map((port) => port.port));
    expect(ports.sort()).toEqual([2375, 53, 53]);
    // Its backup asks the running dashboard (the only process that may open the data) over the Service.
    const backup = one(objects, "CronJob", "hive-backup").spec.jobTemplate.spec.template.spec.containers[0] as Container;
    expect(backup.command).toEqual(["npm", "run", "backup"]);
    const configMap = one(objects, "ConfigMap", "hive-dashboard").data!;
    const service = one(objects, "Service", "hive-dashboard");
    expect(backup.env).toContainEqual({ name: "HIVE_SERVER_URL", value: `http://${service.metadata.name}${configMap.HIVE_BASE_PATH}` });
    expect(secretKeys(backup)).toContain("HIVE_OPERATOR_TOKEN");
  });

  it("postgres: two replicas from a Secret's DATABASE_URL, a migration Job, pods that wait for its schema, a PodDisruptionBudget", () => {
    const objects = rendered["overlays/postgres"]!;
    const deployment = one(objects, "Deployment", "hive-dashboard");
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    const spec = deployment.spec.template.spec;
    const [wait] = spec.initContainers as Container[];
    expect(wait!.command).toEqual(["npm", "run", "db:migrate", "--", "--wait-for-schema", "600"]);
    const dashboard = spec.containers[0] as Container;
    const job = one(objects, "Job", "hive-dashboard-migrate");
    const migrate = job.spec.template.spec.containers[0] as Container;
    expect(migrate.command).toEqual(["npm", "run", "db:migrate"]);
    const cronjob = one(objects, "CronJob", "hive-backup").spec.jobTemplate.spec.template.spec.containers[0] as Container;
    for (const container of [wait!, dashboard, migrate, cronjob]) {
      expect(container.env?.find((entry) => entry.name === "DATABASE_URL")?.valueFrom, container.name).toEqual({ secretKeyRef: { name: "hive-dashboard", key: "DATABASE_URL" } });
      expect(container.image, container.name).toBe(dashboard.image);
    }
    expect(job.spec.ttlSecondsAfterFinished).toBeGreaterThan(0);
    const pdb = one(objects, "PodDisruptionBudget", "hive-dashboard");
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    for (const [key, value] of Object.entries(pdb.spec.selector.matchLabels)) expect(deployment.spec.template.metadata.labels[key]).toBe(value);
    const ports = one(objects, "NetworkPolicy").spec.egress.flatMap((rule: { ports: { port: number }[] }) => rule.ports.map((port) => port.port));
    expect(ports.sort()).toEqual([2375, 53, 53, 5432]);
  });

  it("expose the pods through a Service, let in only the ingress controller (and the backup job), and route page, API and streams on one host and prefix", () => {
    for (const dir of ["overlays/embedded", "overlays/postgres"]) {
      const objects = rendered[dir]!;
      const deployment = one(objects, "Deployment", "hive-dashboard");
      const podLabels = deployment.spec.template.metadata.labels;
      const service = one(objects, "Service", "hive-dashboard");
      expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
      for (const [key, value] of Object.entries(service.spec.selector)) expect(podLabels[key]).toBe(value);
      expect(service.spec.ports).toEqual([{ name: "http", port: 80, targetPort: "http" }]);

      const policy = one(objects, "NetworkPolicy", "hive-dashboard");
      expect(policy.spec.policyTypes).toEqual(["Ingress", "Egress"]);
      expect(policy.spec.podSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
      expect(policy.spec.ingress).toHaveLength(1);
      expect(policy.spec.ingress[0].from).toEqual([
        { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } },
        { podSelector: { matchLabels: expect.objectContaining({ "app.kubernetes.io/component": "backup" }) } },
      ]);
      expect(policy.spec.egress).toContainEqual(expect.objectContaining({ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }] }));

      const basePath = one(objects, "ConfigMap", "hive-dashboard").data!.HIVE_BASE_PATH!;
      const ingress = one(objects, "Ingress", "hive-dashboard");
      expect(ingress.metadata.annotations).toMatchObject({ "nginx.ingress.kubernetes.io/proxy-buffering": "off" });
      expect(Number(ingress.metadata.annotations!["nginx.ingress.kubernetes.io/proxy-read-timeout"])).toBeGreaterThanOrEqual(3600);
      expect(ingress.spec.rules).toHaveLength(1);
      expect(ingress.spec.rules[0].http.paths).toEqual([{ path: basePath, pathType: "Prefix", backend: { service: { name: service.metadata.name, port: { name: "http" } } } }]);
    }
    const route = one(rendered["gateway-api"]!, "HTTPRoute", "hive-dashboard");
    const basePath = one(rendered["overlays/postgres"]!, "ConfigMap", "hive-dashboard").data!.HIVE_BASE_PATH;
    expect(route.spec.rules).toHaveLength(1);
    expect(route.spec.rules[0].matches).toEqual([{ path: { type: "PathPrefix", value: basePath } }]);
    expect(route.spec.rules[0].backendRefs).toEqual([{ name: "hive-dashboard", port: 80 }]);
    expect(route.spec.rules[0].timeouts).toEqual({ request: "0s" });
    expect(route.spec.hostnames).toEqual(one(rendered["overlays/postgres"]!, "Ingress").spec.rules.map((rule: { host: string }) => rule.host));
  });

  it("use only variables the README documents, make a configuration the dashboard accepts, and name only Secret keys the example has", () => {
    const documented = readmeVariables();
    expect(documented.size).toBeGreaterThan(20);
    for (const dir of ["overlays/embedded", "overlays/postgres"]) {
      const objects = rendered[dir]!;
      const configMap = one(objects, "ConfigMap", "hive-dashboard").data!;
      const secret = readYaml(path.join(K8S, dir, "secret.example.yaml"))[0]!.stringData!;
      const names = new Set([...Object.keys(configMap), ...Object.keys(secret)]);
      for (const [where, spec] of podSpecs(objects)) {
        for (const container of containersOf(spec)) {
          for (const name of envNames(container)) names.add(name);
          for (const key of secretKeys(container)) expect(Object.keys(secret), `${where} ${container.name} reads ${key}`).toContain(key);
          for (const source of container.envFrom ?? []) expect(source.configMapRef?.name).toBe("hive-dashboard");
        }
      }
      const undocumented = [...names].filter((name) => !documented.has(name));
      expect(undocumented, `${dir}: variables missing from the README's configuration table`).toEqual([]);
      // What the dashboard container gets is a valid configuration (the same zod schema the server runs).
      const dashboard = one(objects, "Deployment").spec.template.spec.containers[0] as Container;
      const env: Record<string, string> = { ...configMap };
      for (const entry of dashboard.env ?? []) env[entry.name] = entry.value ?? secret[entry.valueFrom.secretKeyRef.key]!;
      const config = parseConfig(env);
      expect(config.basePath).toBe("/hive");
      expect(config.publicUrl.startsWith("https:")).toBe(true);
      expect(config.databaseUrl !== undefined).toBe(dir === "overlays/postgres");
    }
  });
});
