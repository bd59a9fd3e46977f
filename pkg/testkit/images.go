package testkit

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// Photo is a JPEG of w×h pixels, a gradient with a dark block in its top
// left corner (so a test can tell which way up it is), carrying an EXIF
// segment with the orientation given (1 to 8; 0: none) and a GPS
// position, as a phone writes them.
func Photo(t testing.TB, w, h int, orientation uint16) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 160, 255}
			if x < w/4 && y < h/4 {
				c = color.RGBA{10, 10, 10, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if orientation == 0 {
		return b
	}
	return append(append(append([]byte{}, b[:2]...), exifSegment(orientation)...), b[2:]...)
}

// GPSMarker is text every EXIF segment of Photo holds: a stored image
// that still contains it kept the metadata.
const GPSMarker = "GPS 30.2741N 120.1551E"

// exifSegment is an APP1 segment with a big-endian TIFF header and one
// IFD holding the orientation and, as an ASCII image description, the
// GPS marker.
func exifSegment(orientation uint16) []byte {
	desc := append([]byte(GPSMarker), 0)
	var tiff bytes.Buffer
	be := binary.BigEndian
	tiff.WriteString("MM\x00\x2a")
	_ = binary.Write(&tiff, be, uint32(8))
	_ = binary.Write(&tiff, be, uint16(2)) // entries
	// 0x010E ImageDescription, ASCII, stored after the IFD.
	_ = binary.Write(&tiff, be, uint16(0x010E))
	_ = binary.Write(&tiff, be, uint16(2))
	_ = binary.Write(&tiff, be, uint32(len(desc)))
	_ = binary.Write(&tiff, be, uint32(8+2+2*12+4))
	// 0x0112 Orientation, SHORT.
	_ = binary.Write(&tiff, be, uint16(0x0112))
	_ = binary.Write(&tiff, be, uint16(3))
	_ = binary.Write(&tiff, be, uint32(1))
	_ = binary.Write(&tiff, be, orientation)
	_ = binary.Write(&tiff, be, uint16(0))
	_ = binary.Write(&tiff, be, uint32(0)) // no next IFD
	tiff.Write(desc)
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	be.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...)
}

// PNGBomb is a PNG whose header claims w×h pixels: a few dozen bytes that
// would decode to w*h*4 bytes. Its image data is empty, so nothing but a
// check of the header before decoding can tell it apart.
func PNGBomb(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk("IHDR", ihdr)
	chunk("IDAT", nil)
	chunk("IEND", nil)
	return b.Bytes()
}
