import * as entry from "../../components";
import { PUBLIC_NAMES } from "../helpers/publicNames";

test("components/index.ts exports exactly the public names", () => {
  expect(Object.keys(entry).sort()).toEqual(PUBLIC_NAMES);
});
