/** The Cloudflare API v4 client of the provider stand-in: JSON in, the `{ success, errors, result }` envelope out. */
export class CloudflareApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const url = new URL(
      path.replace(/^\//, ""),
      this.baseUrl.endsWith("/") ? this.baseUrl : `${this.baseUrl}/`,
    );
    const response = await fetch(url, {
      method,
      headers: {
        "content-type": "application/json",
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.json()) as {
      success: boolean;
      errors: { code: number; message: string }[];
      result: T;
    };
    if (!answer.success) {
      const errors = answer.errors.map((e) => `${e.code}: ${e.message}`).join("; ");
      throw new Error(`Cloudflare API ${method} ${path} failed (${response.status}): ${errors}`);
    }
    return answer.result;
  }
}
