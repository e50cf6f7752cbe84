export type { GatewayDeps, Route, RouteInput, RouteResult } from '@datasync/api-kit';
