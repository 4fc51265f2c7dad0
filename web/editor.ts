import { yaml } from "@codemirror/lang-yaml";
import { type Diagnostic, forceLinting, linter, lintGutter } from "@codemirror/lint";
import type { Text } from "@codemirror/state";
import { basicSetup, EditorView } from "codemirror";

/** A problem as POST /v1/check answers it: the CLI's message, and the YAML line it is on (null: the whole file). */
export interface Problem {
  readonly path: string;
  readonly message: string;
  readonly line: number | null;
}

/** The scenario editor: the YAML text, its problems marked in the gutter and under the text as it is typed. */
export interface ScenarioEditor {
  text(): string;
  /** Replace the whole text (an example picked, a form field changed). */
  set(text: string): void;
  /** Check again now (the kind changed, so the schema did). */
  recheck(): void;
}

/** A problem as a CodeMirror diagnostic over its whole line (line 1 when it has none). */
function diagnostic(doc: Text, p: Problem): Diagnostic {
  const line = doc.line(Math.min(Math.max(1, p.line ?? 1), doc.lines));
  return { from: line.from, to: line.to, severity: "error", message: p.message, source: p.path };
}

/**
 * CodeMirror 6 with YAML highlighting, in `parent`. `check` is asked for the problems of the text after each
 * pause in typing (the server's /v1/check: the same schema and words as the CLI); `changed` hears every edit.
 */
export function createEditor(
  parent: HTMLElement,
  check: (text: string) => Promise<readonly Problem[]>,
  changed: (text: string) => void,
): ScenarioEditor {
  const view = new EditorView({
    parent,
    extensions: [
      basicSetup,
      yaml(),
      lintGutter(),
      linter(async (v) => (await check(v.state.doc.toString())).map((p) => diagnostic(v.state.doc, p)), {
        delay: 300,
      }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) changed(u.state.doc.toString());
      }),
      EditorView.contentAttributes.of({ "aria-label": "scenario (YAML)" }),
    ],
  });
  return {
    text: () => view.state.doc.toString(),
    set: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    recheck: () => forceLinting(view),
  };
}
