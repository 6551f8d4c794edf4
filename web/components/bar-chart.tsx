export interface Bar {
  readonly label: string;
  readonly value: number;
  /** The value as the reader sees it ("12 MB"). */
  readonly display: string;
}

/**
 * A horizontal bar chart as a table (screen readers read the rows) with one SVG bar per row:
 * SVG attributes, not inline styles, so it needs nothing the CSP forbids.
 */
export function BarChart({
  caption,
  labelHeader,
  valueHeader,
  bars,
}: {
  caption: string;
  labelHeader: string;
  valueHeader: string;
  bars: readonly Bar[];
}) {
  const max = Math.max(0, ...bars.map((b) => b.value));
  return (
    <figure class="chart">
      <figcaption>{caption}</figcaption>
      <table class="bars">
        <thead class="visually-hidden">
          <tr>
            <th scope="col">{labelHeader}</th>
            <th scope="col">{valueHeader}</th>
          </tr>
        </thead>
        <tbody>
          {bars.map((bar) => {
            const width = max > 0 && bar.value > 0 ? Math.max(1, (bar.value / max) * 100) : 0;
            return (
              <tr>
                <th scope="row">{bar.label}</th>
                <td>
                  <div class="bar-cell">
                    <svg
                      class="bar"
                      viewBox="0 0 100 10"
                      preserveAspectRatio="none"
                      aria-hidden="true"
                      focusable="false"
                    >
                      <rect width={width.toFixed(2)} height="10" />
                    </svg>
                    <span class="bar-value">{bar.display}</span>
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </figure>
  );
}
