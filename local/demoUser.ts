// A ready account in dev, so a newcomer can sign in at once (and the notes routes' sample events
// carry its claims); never in another stack.
export const DEMO_USER = { email: "demo@example.com", password: "DemoNotes2024" };

export function demoUserFor(stack: string): typeof DEMO_USER | undefined {
  return stack === "dev" ? DEMO_USER : undefined;
}
