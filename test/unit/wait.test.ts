import {
  holdsWithin,
  settlesWithin,
  sleep,
  waitUntil,
  WaitTimeout,
  withTimeoutDetail,
} from "../../support/wait";

/** A check that holds from its `n`th call on, counting its calls. */
function holdsFromCall(n: number) {
  const check = () => ++check.calls >= n;
  check.calls = 0;
  return check;
}

describe("waitUntil", () => {
  test("a timeout names what did not happen, after the whole timeout", async () => {
    const started = Date.now();
    const waiting = waitUntil("the echo server to see the close", () => false, 50);
    await expect(waiting).rejects.toThrow(
      new Error("timed out after 50 ms waiting for the echo server to see the close"),
    );
    await expect(waiting).rejects.toBeInstanceOf(WaitTimeout);
    await expect(waiting).rejects.toMatchObject({ what: "the echo server to see the close", timeoutMs: 50 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });

  test("resolves on the call where the check first holds, polling no further", async () => {
    const check = holdsFromCall(3);
    await waitUntil("the third call", check, 20_000);
    expect(check.calls).toBe(3);
  });

  test("checks at once: a check that already holds does not wait an interval", async () => {
    const check = holdsFromCall(1);
    const outcome = await Promise.race([
      waitUntil("an immediate hold", check, 20_000, 3_600_000).then(() => "resolved"),
      sleep(10_000, "still waiting", { ref: false }),
    ]);
    expect(outcome).toBe("resolved");
    expect(check.calls).toBe(1);
  });

  test("awaits an async check", async () => {
    let calls = 0;
    await waitUntil(
      "an async check",
      async () => {
        await sleep(1);
        return ++calls === 2;
      },
      20_000,
    );
    expect(calls).toBe(2);
  });

  test("rejects with what the check threw, without waiting for the timeout", async () => {
    const started = Date.now();
    await expect(
      waitUntil(
        "a soak",
        () => {
          throw new Error("the soak ended before a soak");
        },
        3_600_000,
      ),
    ).rejects.toThrow(new Error("the soak ended before a soak"));
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe("holdsWithin", () => {
  test("says whether the check held in time", async () => {
    await expect(holdsWithin(holdsFromCall(2), 20_000)).resolves.toBe(true);
    await expect(holdsWithin(() => false, 30)).resolves.toBe(false);
  });

  test("passes on what the check threw", async () => {
    const failing = async (): Promise<boolean> => {
      throw new Error("the API server is gone");
    };
    await expect(holdsWithin(failing, 30)).rejects.toThrow(new Error("the API server is gone"));
  });
});

describe("withTimeoutDetail", () => {
  test("adds the detail to a timeout's message only", async () => {
    const log = () => ":\nhaproxy: cannot bind socket";
    await expect(
      withTimeoutDetail(
        waitUntil("haproxy to listen", () => false, 30),
        log,
      ),
    ).rejects.toThrow(
      new Error("timed out after 30 ms waiting for haproxy to listen:\nhaproxy: cannot bind socket"),
    );
    const exited = () => {
      throw new Error("haproxy exited 1");
    };
    await expect(withTimeoutDetail(waitUntil("haproxy to listen", exited, 30), log)).rejects.toThrow(
      new Error("haproxy exited 1"),
    );
  });
});

describe("settlesWithin", () => {
  test("says whether the promise settled in time, and passes a rejection on", async () => {
    await expect(settlesWithin(sleep(1), 20_000)).resolves.toBe(true);
    await expect(settlesWithin(new Promise(() => undefined), 30)).resolves.toBe(false);
    await expect(settlesWithin(Promise.reject(new Error("exited 1")), 20_000)).rejects.toThrow(
      new Error("exited 1"),
    );
  });
});
