/**
 * A chart as data: what the `--html` reports, the workbench and a run's HTML download draw, all with the
 * same drawing code (web/charts.ts, on Observable Plot). Nothing here touches Node or the DOM: the
 * workbench's bundle imports this type as the CLI does.
 */
export interface ChartSpec {
  readonly id: string;
  readonly caption: string;
  /**
   * `line`: one line per series over the labels (quarters, months, days); `bar`: a bar per series at each
   * label, side by side; `stack`: the series stacked at each label (a memory stack); `hbar`: horizontal
   * bars, one row per label (where the time goes, by cause), series stacked; `scatter`: one dot per value
   * at (x[i], values[i]), each series a colour, each dot named by its series' labels[i].
   */
  readonly kind: "line" | "bar" | "stack" | "hbar" | "scatter";
  /** The values' unit, shown on the value axis and in the hover tip. */
  readonly unit?: string;
  /** A scatter's horizontal axis. */
  readonly xLabel?: string;
  readonly data: {
    readonly labels: readonly string[];
    readonly series: readonly {
      readonly name: string;
      readonly values: readonly number[];
      readonly dashed?: boolean;
      /** A scatter's horizontal positions and the name of each dot. */
      readonly x?: readonly number[];
      readonly labels?: readonly string[];
    }[];
  };
}

/** What a page shows of a result: a title, the points to read first, its charts and the text report. */
export interface PageView {
  readonly title: string;
  readonly bullets: readonly string[];
  readonly charts: readonly ChartSpec[];
  readonly report: string;
}
