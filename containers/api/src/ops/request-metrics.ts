import type { FastifyInstance } from 'fastify';

interface Series {
  count: number;
  seconds: number;
}

const label = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Counts answers by method, route pattern (never the raw URL: ids would explode cardinality) and status. */
export class RequestMetrics {
  readonly #series = new Map<string, Series>();

  attach(app: FastifyInstance): void {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const key = `${request.method}\u0000${route}\u0000${reply.statusCode}`;
      const series = this.#series.get(key) ?? { count: 0, seconds: 0 };
      series.count += 1;
      series.seconds += reply.elapsedTime / 1000;
      this.#series.set(key, series);
    });
  }

  render(): string[] {
    const lines = [
      '# HELP http_requests_total HTTP requests answered, by method, route and status.',
      '# TYPE http_requests_total counter',
    ];
    const durations = [
      '# HELP http_request_duration_seconds_sum Time spent answering, by method, route and status.',
      '# TYPE http_request_duration_seconds_sum counter',
    ];
    for (const [key, series] of this.#series) {
      const [method = '', route = '', status = ''] = key.split('\u0000');
      const labels = `method="${label(method)}",route="${label(route)}",status="${label(status)}"`;
      lines.push(`http_requests_total{${labels}} ${series.count}`);
      durations.push(`http_request_duration_seconds_sum{${labels}} ${series.seconds.toFixed(6)}`);
    }
    return [...lines, ...durations];
  }
}
