import type { DataProvider, DataReader } from '../../ports/data-provider.js';

/**
 * A read-only face of a driver: the reader methods and properties, bound to the driver, and nothing
 * else. The driver itself is held in a closure, so no property of the view leads to its control side.
 */
export function readerView(driver: DataProvider): DataReader {
  return Object.freeze({
    get isConnected() {
      return driver.isConnected;
    },
    get sourceDescription() {
      return driver.sourceDescription;
    },
    get state() {
      return driver.state;
    },
    get lastGoodReadAt() {
      return driver.lastGoodReadAt;
    },
    get tags() {
      return driver.tags;
    },
    readTag: (tag: string) => driver.readTag(tag),
    readTags: (tags: readonly string[]) => driver.readTags(tags),
    readStaticInfo: () => driver.readStaticInfo(),
    ...(driver.readTagsExact
      ? { readTagsExact: (tags: readonly string[]) => driver.readTagsExact!(tags) }
      : {}),
  });
}
