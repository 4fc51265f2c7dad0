import { z } from "zod";
import { MAX_API_SWEEP_POINTS, SAMPLE_KINDS, SWEEP_KINDS } from "../cli/results.js";
import { campusScenarioSchema } from "../scenario/campus.js";
import { designScenarioSchema } from "../scenario/design.js";
import { fleetScenarioSchema } from "../scenario/fleet-schema.js";
import { planScenarioSchema } from "../scenario/plan-schema.js";
import { inferScenarioSchema, trainScenarioSchema } from "../scenario/schema.js";

/** A scenario kind's schema as JSON Schema 2020-12 (what OpenAPI 3.1 uses), as a user writes it. */
const jsonSchema = (s: z.ZodType) => {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return rest;
};

const error = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

/** The scenario schema of each run kind (the CLI's). */
const KINDS = {
  train: trainScenarioSchema,
  infer: inferScenarioSchema,
  plan: planScenarioSchema,
  sites: campusScenarioSchema,
  fleet: fleetScenarioSchema,
  design: designScenarioSchema,
} as const;
const kindNames = Object.keys(KINDS);
const schemaName = (k: string) => `${k[0]?.toUpperCase()}${k.slice(1)}Scenario`;

/** A run request: its kind and scenario, and for the kinds that sweep, the sweep or Monte Carlo asked for. */
function requestSchema(): Record<string, unknown> {
  return {
    oneOf: kindNames.map((k) => ({
      type: "object",
      required: ["kind"],
      additionalProperties: false,
      properties: {
        kind: { const: k },
        scenario: { $ref: `#/components/schemas/${schemaName(k)}` },
        scenarioYaml: { type: "string", description: "the scenario as YAML text (instead of scenario)" },
        ...((SWEEP_KINDS as readonly string[]).includes(k)
          ? {
              sweep: {
                type: "array",
                minItems: 1,
                maxItems: 8,
                items: { type: "string" },
                description:
                  "sweep axes as the CLI's --sweep takes them (PATH=A:B:STEP or PATH=V1,V2,...); the result is what --sweep ... --json prints",
              },
            }
          : {}),
        ...((SAMPLE_KINDS as readonly string[]).includes(k)
          ? {
              samples: {
                type: "integer",
                minimum: 1,
                maximum: MAX_API_SWEEP_POINTS,
                description: "Monte-Carlo samples over the scenario's uncertain inputs (the CLI's --samples)",
              },
            }
          : {}),
        ...(k === "plan"
          ? { seed: { type: "integer", minimum: 0, description: "the samples' seed (the CLI's --seed)" } }
          : {}),
      },
    })),
  };
}

/** A run as GET /v1/runs/{id} answers it. */
function runSchema(): Record<string, unknown> {
  return {
    type: "object",
    required: ["id", "kind", "status", "scenario", "result", "error", "version", "createdAt"],
    properties: {
      id: { type: "string" },
      kind: { enum: kindNames },
      status: { enum: ["queued", "running", "done", "failed"] },
      scenario: {},
      sweep: {
        description: "the sweep or Monte Carlo asked for: { sweep: [...], samples, seed }; null for one run",
      },
      result: { description: "what `stargate KIND FILE --json` prints; null until done" },
      view: {
        description:
          "the page that shows the result: { title, bullets, charts: [{ id, caption, kind, unit, data: { labels, series } }], report }; null until done",
      },
      error: { oneOf: [{ type: "null" }, { $ref: "#/components/schemas/ErrorBody" }] },
      version: { type: "string" },
      createdAt: { type: "string", format: "date-time" },
      startedAt: { type: ["string", "null"], format: "date-time" },
      finishedAt: { type: ["string", "null"], format: "date-time" },
      wallS: { type: ["number", "null"] },
    },
  };
}

const id = { name: "id", in: "path", required: true, schema: { type: "string" } };
const runRequestBody = {
  required: true,
  content: { "application/json": { schema: { $ref: "#/components/schemas/RunRequest" } } },
};

/** The routes of runs: create, list, check, read, delete, its page and its events. */
function runPaths(): Record<string, unknown> {
  return {
    "/v1/runs": {
      post: {
        summary: "queue a run of a scenario",
        requestBody: runRequestBody,
        responses: {
          "201": { description: "queued: { id, status }" },
          "400": error("bad input: the field path and the CLI's message"),
          "401": error("a bearer token is required"),
          "413": error("the body is over 1 MiB"),
          "429": error("the queue is full; Retry-After says when to try again"),
        },
      },
      get: {
        summary: "runs, newest first (without their results)",
        parameters: [{ name: "kind", in: "query", required: false, schema: { enum: kindNames } }],
        responses: { "200": { description: "{ runs: [...] }" }, "400": error("an unknown kind") },
      },
    },
    "/v1/check": {
      post: {
        summary: "check a scenario without running it: every problem with its line in the YAML",
        requestBody: runRequestBody,
        responses: {
          "200": { description: "{ problems: [{ path, message, line }] } (none: it would run)" },
          "413": error("the body is over 1 MiB"),
        },
      },
    },
    "/v1/runs/{id}": {
      get: {
        parameters: [id],
        responses: {
          "200": {
            description: "the run",
            content: { "application/json": { schema: { $ref: "#/components/schemas/Run" } } },
          },
          "404": error("no such run"),
        },
      },
      delete: {
        summary: "cancel (if queued or running) and forget a run",
        parameters: [id],
        responses: { "204": { description: "gone" }, "404": error("no such run") },
      },
    },
    "/v1/runs/{id}/report.html": {
      get: {
        summary:
          "a finished run as one self-contained HTML page (charts drawn by an inline script), as a download",
        parameters: [id],
        responses: {
          "200": { description: "text/html" },
          "404": error("no such run"),
          "409": error("the run has not finished, or was made before runs kept their page"),
        },
      },
    },
    "/v1/runs/{id}/events": {
      get: {
        summary: "server-sent events: progress { fraction }, then status { status }",
        parameters: [id],
        responses: { "200": { description: "text/event-stream" }, "404": error("no such run") },
      },
    },
  };
}

/** The routes beside runs: health, the catalog's ids, this document, its page, the examples. */
function otherPaths(): Record<string, unknown> {
  return {
    "/v1/catalog": {
      get: {
        summary: "the ids and names a scenario may name: accelerators, models, sites",
        responses: {
          "200": { description: "{ accelerators: [{ id, name }], models: [...], sites: [...] }" },
        },
      },
    },
    "/v1/openapi.json": { get: { responses: { "200": { description: "this document" } } } },
    "/v1/reference": {
      get: { summary: "this document as a page", responses: { "200": { description: "HTML" } } },
    },
    "/v1/examples": {
      get: {
        summary: "the package's example scenarios, by kind",
        responses: { "200": { description: "{ examples: [{ name, kind, yaml }] }" } },
      },
    },
  };
}

/**
 * The OpenAPI 3.1 document of the API, generated from the same zod schemas the CLI validates with: a
 * run request's scenario is the kind's scenario schema.
 */
export function openApiDocument(version: string): Record<string, unknown> {
  const scenarios = Object.fromEntries(Object.entries(KINDS).map(([k, s]) => [schemaName(k), jsonSchema(s)]));
  const { "/v1/runs": runs, "/v1/check": check, ...byId } = runPaths();
  return {
    openapi: "3.1.0",
    info: { title: "Stargate API", version },
    paths: {
      "/healthz": { get: { responses: { "200": { description: "the server is up" } } } },
      "/v1/runs": runs,
      "/v1/check": check,
      ...byId,
      ...otherPaths(),
    },
    components: {
      schemas: {
        RunRequest: requestSchema(),
        Run: runSchema(),
        ErrorBody: {
          type: "object",
          required: ["path", "message"],
          properties: { path: { type: "string" }, message: { type: "string" } },
        },
        Error: {
          type: "object",
          required: ["error"],
          properties: { error: { $ref: "#/components/schemas/ErrorBody" } },
        },
        ...scenarios,
      },
    },
  };
}

const htmlText = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The API reference as a plain HTML page (no script, no style: it renders under the strictest CSP). */
export function referencePage(doc: Record<string, unknown>): string {
  const paths = doc["paths"] as Record<
    string,
    Record<string, { summary?: string; responses?: Record<string, { description?: string }> }>
  >;
  const rows = Object.entries(paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const answers = Object.entries(op.responses ?? {})
        .map(([code, r]) => `<li><code>${code}</code> ${htmlText(r.description ?? "")}</li>`)
        .join("");
      return `<h2><code>${method.toUpperCase()} ${htmlText(path)}</code></h2><p>${htmlText(op.summary ?? "")}</p><ul>${answers}</ul>`;
    }),
  );
  const info = doc["info"] as { title: string; version: string };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${htmlText(info.title)} reference</title></head><body><h1>${htmlText(info.title)} ${htmlText(info.version)}</h1><p>Every route, from <a href="/v1/openapi.json">/v1/openapi.json</a> (OpenAPI 3.1). A run's scenario is the schema of its kind, as <code>stargate schema</code> prints it.</p>${rows.join("")}</body></html>`;
}
