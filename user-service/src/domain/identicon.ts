import { createHash } from 'node:crypto';

function hslToHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number) => {
    const k = (n + h / 30) % 12;
    const c = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(c * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

/**
 * The default avatar: a 5x5 mirrored identicon (GitHub style) drawn from the
 * SHA-256 of the lower-cased pseudo, so `Roger` and `roger` get the same picture
 * and it never changes. Returned as an SVG data: URI.
 */
export function identiconSvg(pseudo: string): string {
  const hash = createHash('sha256').update(pseudo.toLowerCase()).digest();
  const color = hslToHex(((hash[0] << 8) | hash[1]) % 360, 0.45 + (hash[2] % 30) / 100, 0.45 + (hash[3] % 15) / 100);
  const cells: string[] = [];
  for (let row = 0; row < 5; row++) {
    for (let col = 0; col < 3; col++) {
      // One bit per cell of the left half (and the middle column), mirrored to the right.
      const bit = row * 3 + col;
      if (((hash[4 + (bit >> 3)] >> (bit & 7)) & 1) === 0) continue;
      cells.push(`<rect x="${col + 1}" y="${row + 1}" width="1" height="1"/>`);
      if (col < 2) cells.push(`<rect x="${5 - col}" y="${row + 1}" width="1" height="1"/>`);
    }
  }
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 7 7" width="128" height="128" shape-rendering="crispEdges">' +
    `<rect width="7" height="7" fill="#f0f0f0"/><g fill="${color}">${cells.join('')}</g></svg>`
  );
}

export function identiconDataUri(pseudo: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(identiconSvg(pseudo), 'utf8').toString('base64')}`;
}
