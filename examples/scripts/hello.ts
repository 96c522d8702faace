// A tour of the sandbox: TypeScript, web APIs, and what the host grants.
enum Mood {
  Happy = "happy",
  Curious = "curious",
}

interface Greeting {
  to: string;
  mood: Mood;
}

const greet = ({ to, mood }: Greeting): string => `Hello, ${to}! I am ${mood}.`;

console.log(greet({ to: "sandbox", mood: Mood.Curious }));
console.info("url:", new URL("/docs?q=1", "https://example.com").href);
console.log("uuid-like:", crypto.randomUUID().length === 36);
const encoded = new TextEncoder().encode("héllo");
console.log("bytes:", encoded.length, "base64:", btoa("hi"));
await new Promise((resolve) => setTimeout(resolve, 10));
console.log("globals:", typeof Deno, typeof process, typeof require);
try {
  await fetch("https://example.com/");
} catch (err) {
  console.warn("fetch denied:", (err as Error).message);
}

// Files exist only because the host passed `--files examples/scripts/files` (read-only).
const { readFile, readdir } = await import("node:fs/promises");
console.log("files:", await readdir("/"), "->", (await readFile("/note.txt", "utf8")).trim());
try {
  await readFile("/../../Cargo.toml", "utf8");
} catch (err) {
  console.warn("escape refused:", (err as NodeJS.ErrnoException).code);
}
