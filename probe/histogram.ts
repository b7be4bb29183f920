import * as hdr from "hdr-histogram-js";

export interface Percentiles {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * Milliseconds recorded as integer microseconds in an HDR histogram (3 significant digits),
 * so sub-millisecond loopback RTTs keep their resolution and memory stays constant.
 */
export class MsHistogram {
  private readonly h = hdr.build({
    numberOfSignificantValueDigits: 3,
    autoResize: true,
    useWebAssembly: false,
  });

  record(ms: number): void {
    this.h.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.h.totalCount;
  }

  percentile(p: number): number {
    return this.h.totalCount === 0 ? 0 : ms(this.h.getValueAtPercentile(p));
  }

  summary(): Percentiles {
    const h = this.h;
    if (h.totalCount === 0) return { count: 0, min: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
    return {
      count: h.totalCount,
      min: ms(h.minNonZeroValue),
      p50: ms(h.getValueAtPercentile(50)),
      p90: ms(h.getValueAtPercentile(90)),
      p99: ms(h.getValueAtPercentile(99)),
      max: ms(h.maxValue),
      mean: ms(h.mean),
    };
  }

  reset(): void {
    this.h.reset();
  }
}

function ms(micros: number): number {
  return Math.round(micros) / 1000;
}
