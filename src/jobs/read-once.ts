/** A read made on first use and shared by every later one (a failed one is not kept). */
export function once<T>(read: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    if (!value) {
      value = read();
      value.catch(() => {
        value = undefined;
      });
    }
    return value;
  };
}
