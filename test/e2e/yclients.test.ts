import { yclientsE2eSuite } from './yclients/suite';

// The YClients source end to end; the suite is shared with test/scale/pgbouncer.test.ts.
yclientsE2eSuite();
