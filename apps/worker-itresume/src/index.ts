export { reportersOf } from './worker';
export { parseAttempt, parsePythonDict, type Attempt } from './parse';
export { dailyStats, type DailyStats } from './aggregates';
export { exportDailyStats, SHEET_HEADER } from './sheets';
export { yesterdayIn, cronOf, DAILY_SCHEDULE_ID } from './schedule';
