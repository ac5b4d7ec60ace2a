/**
 * Deterministic stand-ins for key versions and public key material. Nothing here is real
 * cryptography: the bytes only have the length and shape a client inspects.
 */
import { createHash } from "node:crypto";

export type KeyType = "RSA" | "RSA-HSM" | "EC" | "EC-HSM";

export const keyTypes: readonly KeyType[] = ["RSA", "RSA-HSM", "EC", "EC-HSM"];
/** 1024 is accepted so scenarios can hold a too-small imported key. */
export const rsaSizes: readonly number[] = [1024, 2048, 3072, 4096];
export const ecSizes: readonly number[] = [256, 384, 521];

/** What Key Vault gives a key created without `key_ops`, as in the recordings. */
export const defaultKeyOps: readonly string[] = [
  "encrypt",
  "decrypt",
  "sign",
  "verify",
  "wrapKey",
  "unwrapKey",
];

const curves: Readonly<Record<number, string>> = { 256: "P-256", 384: "P-384", 521: "P-521" };

export function isRsa(kty: KeyType): boolean {
  return kty === "RSA" || kty === "RSA-HSM";
}

/** A 32 lower-case hex version id derived from a seed, as Key Vault's ids look. */
export function versionIdFrom(seed: string): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, 32);
}

/** `length` bytes derived from a seed by chaining SHA-256 blocks. */
function bytesFrom(seed: string, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < length; i++) {
    blocks.push(createHash("sha256").update(`${seed}#${i}`).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** The public members of a JsonWebKey for the given type and size (`n`/`e` or `crv`/`x`/`y`). */
export function publicMaterial(kty: KeyType, size: number, seed: string): Record<string, string> {
  if (isRsa(kty)) {
    const modulus = bytesFrom(seed, size / 8);
    // The top bit set makes the bit length exactly `size`; an RSA modulus is always odd.
    modulus[0] = (modulus[0] ?? 0) | 0x80;
    modulus[modulus.length - 1] = (modulus[modulus.length - 1] ?? 0) | 0x01;
    return { n: modulus.toString("base64url"), e: "AQAB" };
  }
  const coordinateLength = Math.ceil(size / 8);
  return {
    crv: curves[size] ?? "P-256",
    x: bytesFrom(`${seed}/x`, coordinateLength).toString("base64url"),
    y: bytesFrom(`${seed}/y`, coordinateLength).toString("base64url"),
  };
}
