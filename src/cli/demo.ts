export async function runDemo(_o: { seconds: number; out: string }): Promise<void> {}
