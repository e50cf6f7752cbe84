/** The kit's parts that assert (they import vitest's `expect`): only for test files. */
export { canonical, expectSameRows, expectTable, rowsOf, type Queryable, type Row } from './compare';
