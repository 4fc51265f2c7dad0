import { isMap, isScalar, parseDocument } from "yaml";

/**
 * Forms for the common fields of each kind of scenario, kept in step with the YAML: a field shows the
 * value at its path in the text, and a change writes it back there (comments and the rest of the text
 * stay as they were). What each field accepts comes from the scenario's JSON Schema in the server's
 * OpenAPI document (a list of values, a number's bounds, a default), and which ids it may name from
 * /v1/catalog; the server's check still has the last word.
 */

export type Kind = "train" | "infer" | "plan" | "sites" | "fleet" | "design";
type Ids = "accelerators" | "models" | "sites";

interface Field {
  readonly path: readonly string[];
  /** Catalog ids offered for a string field. */
  readonly ids?: Ids;
}

const FIELDS: Readonly<Record<Kind, readonly Field[]>> = {
  train: [
    { path: ["model"], ids: "models" },
    { path: ["system", "accelerator"], ids: "accelerators" },
    { path: ["system", "count"] },
    { path: ["training", "precision"] },
    { path: ["training", "seqLen"] },
    { path: ["training", "globalBatch"] },
  ],
  infer: [
    { path: ["model"], ids: "models" },
    { path: ["system", "accelerator"], ids: "accelerators" },
    { path: ["system", "count"] },
    { path: ["inference", "precision"] },
    { path: ["inference", "kvPrecision"] },
  ],
  plan: [
    { path: ["name"] },
    { path: ["start"] },
    { path: ["quarters"] },
    { path: ["accelerator"], ids: "accelerators" },
  ],
  sites: [
    { path: ["accelerator"], ids: "accelerators" },
    { path: ["itMw"] },
    { path: ["cooling"] },
    { path: ["rankBy"] },
  ],
  fleet: [
    { path: ["days"] },
    { path: ["seed"] },
    { path: ["fleet", "accelerator"], ids: "accelerators" },
    { path: ["fleet", "count"] },
    { path: ["scheduler"] },
  ],
  design: [
    { path: ["base"], ids: "accelerators" },
    { path: ["supply", "hbmStacksPerYear"] },
    { path: ["site"], ids: "sites" },
    { path: ["cooling"] },
  ],
};

/** A JSON Schema node, as much of it as the forms read. */
export interface Schema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly anyOf?: readonly Schema[];
  readonly oneOf?: readonly Schema[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly default?: unknown;
  readonly description?: string;
}

/** The schema at `path` under `root`, through unions (the branch that has the property, or the scalar one). */
export function schemaAt(root: Schema | undefined, path: readonly string[]): Schema | undefined {
  let node = root;
  for (const key of path) {
    const branches = [node, ...(node?.anyOf ?? []), ...(node?.oneOf ?? [])];
    node = branches.map((b) => b?.properties?.[key]).find((x) => x !== undefined);
  }
  if (node === undefined) return undefined;
  // A field that may be an id or an inline object (model, accelerator): the id.
  const scalar = [...(node.anyOf ?? []), ...(node.oneOf ?? [])].find((b) => b.type !== "object");
  return scalar !== undefined
    ? { ...scalar, ...(node.default !== undefined ? { default: node.default } : {}) }
    : node;
}

export interface ScenarioForm {
  /** Show the fields of `kind` with the values in `text` (disabled where the text does not parse). */
  show(kind: Kind, text: string): void;
}

const isNumber = (s: Schema | undefined) =>
  s !== undefined &&
  (s.type === "number" || s.type === "integer" || (Array.isArray(s.type) && s.type.includes("number")));

/** One input for `field`: a select of a schema's values, a number with its bounds, or text with catalog ids. */
function input(field: Field, schema: Schema | undefined): HTMLInputElement | HTMLSelectElement {
  if (schema?.enum !== undefined) {
    const select = document.createElement("select");
    select.append(new Option("(default)", ""), ...schema.enum.map((v) => new Option(String(v), String(v))));
    return select;
  }
  const el = document.createElement("input");
  if (isNumber(schema)) {
    el.type = "number";
    el.step = schema?.type === "integer" ? "1" : "any";
    const min = schema?.minimum ?? schema?.exclusiveMinimum;
    if (min !== undefined) el.min = String(min);
    if (schema?.maximum !== undefined) el.max = String(schema.maximum);
  } else if (field.ids !== undefined) el.setAttribute("list", `ids-${field.ids}`);
  if (schema?.default !== undefined) el.placeholder = `default ${String(schema.default)}`;
  return el;
}

/**
 * The forms in `host`, for scenarios of the JSON Schemas `schemas` (by kind), offering `lists` of catalog
 * ids; `write` receives the new YAML text when a field changes.
 */
export function createForm(
  host: HTMLElement,
  schemas: Readonly<Record<Kind, Schema | undefined>>,
  lists: Readonly<Record<Ids, readonly string[]>>,
  write: (text: string) => void,
): ScenarioForm {
  const datalists = (Object.keys(lists) as Ids[]).map((k) => {
    const dl = document.createElement("datalist");
    dl.id = `ids-${k}`;
    dl.append(...lists[k].map((id) => new Option(id, id)));
    return dl;
  });
  let text = "";
  let kind: Kind = "train";
  const inputs: { field: Field; el: HTMLInputElement | HTMLSelectElement; numeric: boolean }[] = [];
  const build = () => {
    inputs.length = 0;
    const rows = FIELDS[kind].map((field) => {
      const schema = schemaAt(schemas[kind], field.path);
      const el = input(field, schema);
      const name = field.path.join(".");
      el.name = name;
      el.title = schema?.description ?? name;
      el.addEventListener("change", () => update(field, el.value, isNumber(schema)));
      inputs.push({ field, el, numeric: isNumber(schema) });
      const label = document.createElement("label");
      label.append(`${name} `, el);
      return label;
    });
    host.replaceChildren(...datalists, ...rows);
  };
  /** Write one field's value at its path in the text (emptied: the key removed, so the default applies). */
  const update = (field: Field, value: string, numeric: boolean) => {
    const doc = parseDocument(text);
    if (doc.errors.length > 0 || !isMap(doc.contents)) return;
    if (value === "") doc.deleteIn(field.path);
    else
      doc.setIn(
        field.path,
        numeric && value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : value,
      );
    write(doc.toString());
  };
  let shownKind: Kind | null = null;
  return {
    show(k, t) {
      kind = k;
      text = t;
      if (shownKind !== k) {
        build();
        shownKind = k;
      }
      const doc = parseDocument(t);
      const usable = doc.errors.length === 0 && isMap(doc.contents);
      for (const { field, el } of inputs) {
        const node = usable ? doc.getIn(field.path, true) : undefined;
        // A field written as something other than one value (an inline model or chip) is left to the text.
        const scalar = node === undefined || isScalar(node);
        el.disabled = !usable || !scalar;
        if (document.activeElement === el) continue;
        el.value = scalar && node !== undefined ? String(node.value ?? "") : "";
      }
    },
  };
}
