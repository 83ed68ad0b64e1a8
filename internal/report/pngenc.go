package report

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"sync"

	"github.com/klauspost/compress/zlib"
)

// encodePNG appends img to buf as a PNG, the way that suits a chart: 8-bit RGB (the chart is
// opaque), every row unfiltered, deflated at BestSpeed. image/png tries all five row filters on
// every row and keeps the likeliest to compress, which on a chart costs more than the deflate and
// gains nothing: its rows are long runs of one colour and repeats of the row above, which
// deflate's matches find unfiltered (the result is a few per cent smaller). The pixels are the
// same either way. The deflate is klauspost/compress's (pure Go, the same format): with it at
// BestSpeed a whole chart takes about a quarter less CPU than with compress/flate's. An image with any
// transparency goes through image/png instead.
func encodePNG(buf *bytes.Buffer, img *image.RGBA) error {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	st := pngStatePool.Get().(*pngState)
	defer pngStatePool.Put(st)

	begin := buf.Len()
	buf.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, 2 // bit depth 8, colour type 2 (RGB); compression, filter, interlace 0
	writeChunk(buf, "IHDR", ihdr[:])

	// The IDAT chunk: its length and type, then the zlib stream written straight into buf, then
	// the length filled in and the CRC (over type and data) appended.
	start := buf.Len()
	buf.Write([]byte{0, 0, 0, 0, 'I', 'D', 'A', 'T'})
	st.zw.Reset(buf)
	// A row is its filter type (0, None) and three bytes a pixel; each pixel is copied as four
	// bytes, its alpha overwritten by the next pixel's red, so the buffer has one byte to spare.
	if cap(st.row) < 2+3*w {
		st.row = make([]byte, 2+3*w)
	}
	row := st.row[:2+3*w]
	row[0] = 0
	alpha := uint32(0xffffffff)
	for y := range h {
		pix := img.Pix[y*img.Stride : y*img.Stride+4*w]
		rgb := row[1:]
		for x := range w {
			v := binary.LittleEndian.Uint32(pix[4*x:])
			binary.LittleEndian.PutUint32(rgb[3*x:], v)
			alpha &= v
		}
		if _, err := st.zw.Write(row[:1+3*w]); err != nil {
			return err
		}
	}
	opaque := alpha>>24 == 0xff
	if err := st.zw.Close(); err != nil {
		return err
	}
	if !opaque {
		buf.Truncate(begin)
		return png.Encode(buf, img)
	}
	data := buf.Bytes()[start:]
	binary.BigEndian.PutUint32(data, uint32(len(data)-8))
	var crc [4]byte
	binary.BigEndian.PutUint32(crc[:], crc32.ChecksumIEEE(data[4:]))
	buf.Write(crc[:])
	writeChunk(buf, "IEND", nil)
	return nil
}

// writeChunk appends one PNG chunk: length, type, data, CRC of type and data.
func writeChunk(buf *bytes.Buffer, typ string, data []byte) {
	var head, tail [8]byte
	binary.BigEndian.PutUint32(head[:4], uint32(len(data)))
	copy(head[4:], typ)
	buf.Write(head[:])
	buf.Write(data)
	binary.BigEndian.PutUint32(tail[:], crc32.Update(crc32.ChecksumIEEE(head[4:]), crc32.IEEETable, data))
	buf.Write(tail[:4])
}

// pngState is one encoder's reusable zlib writer and row buffer.
type pngState struct {
	zw  *zlib.Writer
	row []byte
}

var pngStatePool = sync.Pool{New: func() any {
	zw, err := zlib.NewWriterLevel(nil, zlib.BestSpeed)
	if err != nil {
		panic(err) // BestSpeed is a valid level
	}
	return &pngState{zw: zw}
}}
