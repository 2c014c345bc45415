/** Whether a tensor of `shape` has no elements (a kernel then skips its work). */
export const isEmpty = (shape: readonly number[]): boolean => shape.includes(0);
