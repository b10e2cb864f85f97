import type { MisChangesPage, MisConnector } from '../mis-connector';

/** Pages `changesSince` from `cursor` to the end (tests of connectors): every page and the cursor after the last. */
export async function drainChanges(connector: MisConnector, cursor: string | null, limit: number): Promise<{ pages: MisChangesPage[]; cursor: string }> {
  const pages: MisChangesPage[] = [];
  let position = cursor;
  for (let i = 0; i < 10_000; i++) {
    const page = await connector.changesSince(position, limit);
    pages.push(page);
    position = page.nextCursor;
    if (!page.hasMore) return { pages, cursor: position };
  }
  throw new Error('changesSince never said hasMore: false');
}
