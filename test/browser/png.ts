/** Reading the pictures the preview writes: a small PNG decoder (8-bit RGB/RGBA, not interlaced) and pixel statistics. */
import { unzlibSync } from 'fflate';

/** A decoded picture: `channels` bytes per pixel, row by row. */
export interface DecodedPng {
    readonly width: number;
    readonly height: number;
    readonly channels: 3 | 4;
    readonly pixels: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Colour types: truecolour, and truecolour with alpha. */
const CHANNELS_BY_COLOR_TYPE: Readonly<Record<number, 3 | 4>> = { 2: 3, 6: 4 };
const CHUNK_HEADER_BYTES = 8;
const CHUNK_CRC_BYTES = 4;
const FILTER = { none: 0, sub: 1, up: 2, average: 3, paeth: 4 } as const;

function byteAt(bytes: Uint8Array, index: number): number {
    return bytes[index] ?? 0;
}

function paeth(left: number, up: number, upLeft: number): number {
    const estimate = left + up - upLeft;
    const [toLeft, toUp, toUpLeft] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
    if (toLeft <= toUp && toLeft <= toUpLeft) {
        return left;
    }
    return toUp <= toUpLeft ? up : upLeft;
}

/**
 * Decodes a PNG as Chromium writes screenshots: 8 bits per channel, RGB or RGBA, not interlaced.
 *
 * @throws {TypeError} for anything else.
 */
export function decodePng(png: Uint8Array): DecodedPng {
    if (!SIGNATURE.every((byte, index) => png[index] === byte)) {
        throw new TypeError('not a PNG');
    }
    const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
    let width = 0;
    let height = 0;
    let channels: 3 | 4 | undefined;
    const data: Uint8Array[] = [];
    for (let offset = SIGNATURE.length; offset < png.length; ) {
        const length = view.getUint32(offset);
        const type = String.fromCharCode(...png.subarray(offset + 4, offset + CHUNK_HEADER_BYTES));
        const body = png.subarray(offset + CHUNK_HEADER_BYTES, offset + CHUNK_HEADER_BYTES + length);
        if (type === 'IHDR') {
            width = view.getUint32(offset + CHUNK_HEADER_BYTES);
            height = view.getUint32(offset + CHUNK_HEADER_BYTES + 4);
            const [bitDepth, colorType, , , interlace] = body.subarray(8);
            channels = CHANNELS_BY_COLOR_TYPE[colorType ?? -1];
            if (bitDepth !== 8 || channels === undefined || interlace !== 0) {
                throw new TypeError(`unsupported PNG: bit depth ${bitDepth}, colour type ${colorType}, interlace ${interlace}`);
            }
        } else if (type === 'IDAT') {
            data.push(body);
        }
        offset += CHUNK_HEADER_BYTES + length + CHUNK_CRC_BYTES;
    }
    if (channels === undefined) {
        throw new TypeError('PNG without IHDR');
    }
    const joined = new Uint8Array(data.reduce((sum, chunk) => sum + chunk.length, 0));
    let filled = 0;
    for (const chunk of data) {
        joined.set(chunk, filled);
        filled += chunk.length;
    }
    const filtered = unzlibSync(joined);
    const stride = width * channels;
    const pixels = new Uint8Array(stride * height);
    for (let row = 0; row < height; row++) {
        const filter = byteAt(filtered, row * (stride + 1));
        const source = row * (stride + 1) + 1;
        const target = row * stride;
        for (let index = 0; index < stride; index++) {
            const raw = byteAt(filtered, source + index);
            const left = index >= channels ? byteAt(pixels, target + index - channels) : 0;
            const up = row > 0 ? byteAt(pixels, target - stride + index) : 0;
            const upLeft = row > 0 && index >= channels ? byteAt(pixels, target - stride + index - channels) : 0;
            const predictor =
                filter === FILTER.sub ? left
                : filter === FILTER.up ? up
                : filter === FILTER.average ? Math.floor((left + up) / 2)
                : filter === FILTER.paeth ? paeth(left, up, upLeft)
                : 0;
            pixels[target + index] = (raw + predictor) & 0xff;
        }
    }
    return { width, height, channels, pixels };
}

/** What a picture holds, ignoring a frame `inset` pixels wide (the card's border). */
export interface PixelStatistics {
    /** Distinct RGB colours inside the frame. */
    readonly distinctColours: number;
    /** Share of the pixels inside the frame that are not white, 0 to 1. */
    readonly nonWhiteShare: number;
    /** Every distinct colour inside the frame, as `#rrggbb`. */
    readonly colours: ReadonlySet<string>;
}

/** Counts colours and non-white pixels inside the picture, `inset` pixels in from each edge. */
export function pixelStatistics(picture: DecodedPng, inset: number): PixelStatistics {
    const colours = new Set<string>();
    let nonWhite = 0;
    let counted = 0;
    for (let y = inset; y < picture.height - inset; y++) {
        for (let x = inset; x < picture.width - inset; x++) {
            const at = (y * picture.width + x) * picture.channels;
            const [red, green, blue] = [byteAt(picture.pixels, at), byteAt(picture.pixels, at + 1), byteAt(picture.pixels, at + 2)];
            colours.add(`#${[red, green, blue].map((channel) => channel.toString(16).padStart(2, '0')).join('')}`);
            counted++;
            if (red !== 0xff || green !== 0xff || blue !== 0xff) {
                nonWhite++;
            }
        }
    }
    return { distinctColours: colours.size, nonWhiteShare: counted === 0 ? 0 : nonWhite / counted, colours };
}

/** Channel differences up to this are anti-aliasing, not a different drawing. */
const CHANNEL_TOLERANCE = 48;

/**
 * How many pixels of two same-sized pictures differ by more than anti-aliasing does.
 *
 * @throws {RangeError} when the sizes differ.
 */
export function differingPixels(first: DecodedPng, second: DecodedPng): number {
    if (first.width !== second.width || first.height !== second.height) {
        throw new RangeError(`sizes differ: ${first.width}×${first.height} and ${second.width}×${second.height}`);
    }
    let differing = 0;
    for (let pixel = 0; pixel < first.width * first.height; pixel++) {
        const channels = [0, 1, 2].map((channel) => Math.abs(byteAt(first.pixels, pixel * first.channels + channel) - byteAt(second.pixels, pixel * second.channels + channel)));
        if (channels.some((difference) => difference > CHANNEL_TOLERANCE)) {
            differing++;
        }
    }
    return differing;
}
