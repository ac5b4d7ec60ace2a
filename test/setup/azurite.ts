/** Starts one Azurite table service for the whole run on a free loopback port, and stops it. */
import type { TestProject } from "vitest/node";
import { startAzurite } from "../../src/cli/azurite";

declare module "vitest" {
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite();
  project.provide("azuriteConnectionString", azurite.connectionString);
  return () => azurite.stop();
}
