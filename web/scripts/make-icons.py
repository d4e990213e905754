"""Writes the app icons (public/icons/*.png) without image libraries: a teal square with a white
cross-and-H mark. Run once; the PNGs are committed."""
import struct, zlib, sys

TEAL = (28, 110, 140)
WHITE = (255, 255, 255)


def pixel(x, y, n, inset):
    # Inset: maskable icons keep their mark inside the safe 80% circle.
    u, v = x / n, y / n
    lo, hi = 0.5 - (0.5 - inset) * 0.62, 0.5 + (0.5 - inset) * 0.62
    bar = (hi - lo) * 0.22
    in_box = lo <= u <= hi and lo <= v <= hi
    left = lo <= u <= lo + bar
    right = hi - bar <= u <= hi
    middle = abs(v - 0.5) <= bar / 2
    return WHITE if in_box and (left or right or middle) else TEAL


def png(n, inset):
    rows = b''.join(b'\x00' + bytes(c for x in range(n) for c in pixel(x, y, n, inset)) for y in range(n))
    chunk = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', n, n, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(rows, 9)) + chunk(b'IEND', b'')


out = sys.argv[1] if len(sys.argv) > 1 else 'public/icons'
for name, n, inset in [('icon-192.png', 192, 0.1), ('icon-512.png', 512, 0.1), ('icon-512-maskable.png', 512, 0.2)]:
    open(f'{out}/{name}', 'wb').write(png(n, inset))
