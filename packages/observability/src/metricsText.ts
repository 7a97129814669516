// Reads numbers back out of a Prometheus text exposition: what tests (and ad-hoc checks) assert on.

/** Sum of every sample of `name` whose labels include all of `labels` (0 when none matches). */
export const sampleSum = (
  text: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number => {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name) || line.startsWith("#")) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== "{" && rest[0] !== " ") continue; // another metric sharing the prefix
    const close = rest.indexOf("}");
    const labelText = rest[0] === "{" ? rest.slice(1, close) : "";
    const value = Number(
      rest
        .slice(rest[0] === "{" ? close + 1 : 0)
        .trim()
        .split(" ")[0],
    );
    const present = new Map<string, string>();
    for (const match of labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      present.set(match[1] ?? "", match[2] ?? "");
    if (Object.entries(labels).every(([key, wanted]) => present.get(key) === wanted)) sum += value;
  }
  return sum;
};
