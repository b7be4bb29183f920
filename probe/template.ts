/**
 * App-level heartbeat messages. Placeholders: {seq} (per-client sequence number, continuing
 * across reconnects like the app's own numbering), {conn} (client index), {ts} (epoch ms).
 */
export interface MessageTemplate {
  readonly text: string;
  render(seq: number, conn: number): string;
  /** The sequence number carried by an echoed message, or undefined when it does not match the template. */
  parseSeq(message: string): number | undefined;
  readonly hasSeq: boolean;
}

const PLACEHOLDER = /\{(seq|conn|ts)\}/g;

export function compileTemplate(text: string): MessageTemplate {
  const hasSeq = text.includes("{seq}");
  let groups = 0;
  let seqGroup = 0;
  const pattern = text
    .split(PLACEHOLDER)
    .map((part, i) => {
      if (i % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      groups++;
      if (part === "seq" && seqGroup === 0) seqGroup = groups;
      return "(\\d+)";
    })
    .join("");
  const regex = new RegExp(`^${pattern}$`);
  return {
    text,
    hasSeq,
    render: (seq, conn) =>
      text.replace(PLACEHOLDER, (_, name: string) =>
        name === "seq" ? String(seq) : name === "conn" ? String(conn) : String(Date.now()),
      ),
    parseSeq(message) {
      if (seqGroup === 0) return undefined;
      const match = regex.exec(message);
      return match ? Number(match[seqGroup]) : undefined;
    },
  };
}
