/** Coach alert rules (issue 5): pure functions over the model's state; no I/O. */
export {};
