/**
 * A tiny browser stand-in for HTTP tests: keeps cookies per origin, follows redirects by hand
 * (so every hop is visible), and sends the Origin header a browser sends on form posts.
 */
export class HttpClient {
  private readonly jar = new Map<string, Map<string, string>>();

  constructor(readonly baseUrl: string) {}

  async get(url: string): Promise<Response> {
    return this.send(url, { method: 'GET' });
  }

  /** A form post from one of the service's own pages. */
  async post(
    url: string,
    form: Record<string, string> = {},
    origin = new URL(this.baseUrl).origin,
  ) {
    return this.send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** Follows redirects from `url` until a non-redirect answer, returning every hop. */
  async follow(url: string): Promise<{ final: Response; hops: string[] }> {
    const hops: string[] = [];
    let next = new URL(url, this.baseUrl).toString();
    for (let i = 0; i < 10; i++) {
      hops.push(next);
      const response = await this.get(next);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location)
        return { final: response, hops };
      next = new URL(location, next).toString();
    }
    throw new Error(`too many redirects: ${hops.join(' -> ')}`);
  }

  async send(url: string, init: RequestInit): Promise<Response> {
    const target = new URL(url, this.baseUrl);
    const headers = new Headers(init.headers);
    const cookies = this.jar.get(target.origin);
    if (cookies && cookies.size > 0) {
      headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    }
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) this.store(target.origin, line);
    return response;
  }

  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(new URL(origin).origin)?.get(name);
  }

  private store(origin: string, line: string): void {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const cookies = this.jar.get(origin) ?? new Map<string, string>();
    this.jar.set(origin, cookies);
    const expired = attributes.some(
      (a) => /max-age=0\b/i.test(a.trim()) || /expires=thu, 01 jan 1970/i.test(a.trim()),
    );
    if (expired || value === '') cookies.delete(name);
    else cookies.set(name, value);
  }
}
