import type { Bench } from './bench';
import { round, type Figure, type Sizes } from './figures';

/** Figure 2: a sync under the upstream's real limit, enforced by the sandbox and kept by the worker. */
export async function rateFigure(b: Bench, sizes: Sizes): Promise<Figure> {
  const { perSecond, perMinute } = sizes.rate;
  const dataSet = await b.createDataSet(sizes.rate.size);
  const [worker] = await b.startWorkers(1, b.scenario.rateLimitEnv(perSecond, perMinute));
  await b.control.post(b.scenario.rateLimit.path, { enabled: true, perSecond, perMinute, by: 'ip' });
  try {
    await b.clearRequests();
    const run = await b.sync(dataSet);
    const requests = await b.requests();
    const rejected = requests.filter((r) => r.status === 429).length;
    const span = requests.length > 1 ? (requests[requests.length - 1]!.at - requests[0]!.at) / 1000 : run.seconds;
    const overRun = requests.length / run.seconds;
    const overSpan = (requests.length - 1) / span;
    return {
      id: 2,
      title: `Rate-limit use: ${b.scenario.describe(sizes.rate.size)}, sandbox limit ${perSecond}/s and ${perMinute}/min`,
      metrics: [
        { name: 'requests', value: requests.length, unit: 'req' },
        { name: 'rate over the whole run', value: round(overRun), unit: 'req/s' },
        { name: 'rate, first to last request', value: round(overSpan), unit: 'req/s' },
        {
          name: 'rate / limit (whole run)',
          value: round(overRun / perSecond, 3),
          unit: '×',
          target: '≥ 0.90',
          ok: overRun / perSecond >= 0.9,
        },
        { name: '429 answers', value: rejected, unit: 'req', target: '0', ok: rejected === 0 },
        { name: 'sync wall time', value: round(run.seconds, 2), unit: 's' },
      ],
      details: { dataSet, requests: requests.length, rejected, runSeconds: run.seconds, spanSeconds: span },
    };
  } finally {
    await b.control.post(b.scenario.rateLimit.path, { enabled: false });
    await b.stopProcesses([worker!]);
  }
}
