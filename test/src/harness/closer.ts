// Resources a test opens one after another and closes together: the last opened is closed first.

export class Closer {
  private readonly closes: Array<() => unknown> = [];

  /** Keeps `close` of `resource` for later; returns the resource. */
  add<T>(resource: T, close: (resource: T) => unknown): T {
    this.closes.push(() => close(resource));
    return resource;
  }

  /** Closes what was added, last first, each once. */
  async close(): Promise<void> {
    for (let close = this.closes.pop(); close !== undefined; close = this.closes.pop()) await close();
  }
}

/**
 * Runs `open`, which adds each resource it opens to the closer; returns what it returns with a `close` of
 * all of them. When `open` fails, closes what it had opened and throws.
 */
export async function openClosing<T extends object>(open: (closer: Closer) => Promise<T>): Promise<T & { close(): Promise<void> }> {
  const closer = new Closer();
  try {
    return { ...(await open(closer)), close: () => closer.close() };
  } catch (error) {
    await closer.close();
    throw error;
  }
}
