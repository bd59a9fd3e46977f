//go:build ignore

// draw makes the demo photos of `tandem dev`: campus scenes drawn in Go,
// so the repository needs no photograph it would have to license. Run it
// from this folder: go run draw.go
package main

import (
	"image"
	"image/color"
	"image/jpeg"
	"log"
	"math"
	"math/rand/v2"
	"os"
)

const w, h = 1200, 800

type canvas struct{ *image.RGBA }

func newCanvas() canvas { return canvas{image.NewRGBA(image.Rect(0, 0, w, h))} }

func mix(a, b color.RGBA, t float64) color.RGBA {
	l := func(x, y uint8) uint8 { return uint8(float64(x)*(1-t) + float64(y)*t) }
	return color.RGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 255}
}

// sky fills the top rows with a vertical gradient.
func (c canvas) sky(top, bottom color.RGBA, rows int) {
	for y := range rows {
		col := mix(top, bottom, float64(y)/float64(rows))
		for x := range w {
			c.SetRGBA(x, y, col)
		}
	}
}

func (c canvas) rect(x0, y0, x1, y1 int, col color.RGBA) {
	for y := max(y0, 0); y < min(y1, h); y++ {
		for x := max(x0, 0); x < min(x1, w); x++ {
			c.SetRGBA(x, y, col)
		}
	}
}

// shade fills a rectangle with a horizontal light falloff, for walls.
func (c canvas) shade(x0, y0, x1, y1 int, a, b color.RGBA) {
	for x := max(x0, 0); x < min(x1, w); x++ {
		col := mix(a, b, float64(x-x0)/float64(x1-x0))
		for y := max(y0, 0); y < min(y1, h); y++ {
			c.SetRGBA(x, y, col)
		}
	}
}

func (c canvas) disc(cx, cy, r int, col color.RGBA) {
	for y := cy - r; y <= cy+r; y++ {
		for x := cx - r; x <= cx+r; x++ {
			if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r && x >= 0 && y >= 0 && x < w && y < h {
				c.SetRGBA(x, y, col)
			}
		}
	}
}

// tree is a trunk and a crown of overlapping discs.
func (c canvas) tree(x, ground, size int, rng *rand.Rand) {
	c.rect(x-size/10, ground-size, x+size/10, ground, color.RGBA{92, 64, 40, 255})
	for range 7 {
		dx, dy := rng.IntN(size)-size/2, rng.IntN(size/2)
		g := uint8(90 + rng.IntN(60))
		c.disc(x+dx, ground-size-dy, size/2, color.RGBA{40, g, 50, 255})
	}
}

// building is a wall with rows of windows, lit or not.
func (c canvas) building(x0, y0, x1, ground int, wall color.RGBA, lit float64, rng *rand.Rand) {
	c.shade(x0, y0, x1, ground, wall, mix(wall, color.RGBA{0, 0, 0, 255}, 0.25))
	c.rect(x0-8, y0-14, x1+8, y0, mix(wall, color.RGBA{60, 30, 30, 255}, 0.5))
	for y := y0 + 24; y+36 < ground-20; y += 56 {
		for x := x0 + 20; x+28 < x1-10; x += 48 {
			win := color.RGBA{70, 90, 110, 255}
			if rng.Float64() < lit {
				win = color.RGBA{250, 214, 130, 255}
			}
			c.rect(x, y, x+28, y+36, win)
		}
	}
}

func (c canvas) save(name string) {
	f, err := os.Create(name)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if err := jpeg.Encode(f, c, &jpeg.Options{Quality: 60}); err != nil {
		log.Fatal(err)
	}
}

// sportsMeet: a red running track before the stands, runners in lanes.
func sportsMeet() {
	rng := rand.New(rand.NewPCG(1, 2))
	c := newCanvas()
	c.sky(color.RGBA{110, 165, 225, 255}, color.RGBA{200, 225, 245, 255}, 330)
	c.building(60, 150, 1140, 330, color.RGBA{190, 190, 196, 255}, 0, rng)
	shirts := []color.RGBA{{200, 60, 60, 255}, {60, 90, 170, 255}, {230, 200, 80, 255}, {240, 240, 240, 255}}
	for i, y := 0, 250; y < 330; i, y = i+1, y+20 { // the crowd in the stands, in blocks
		for j, x := 0, 70; x+90 <= 1130; j, x = j+1, x+96 {
			c.rect(x, y, x+90, y+16, shirts[(i+j)%len(shirts)])
		}
	}
	c.rect(0, 330, w, 380, color.RGBA{70, 140, 70, 255})
	for y := 380; y < h; y++ { // the track, wider as it comes near
		col := mix(color.RGBA{176, 62, 48, 255}, color.RGBA{198, 78, 60, 255}, float64(y-380)/float64(h-380))
		for x := range w {
			c.SetRGBA(x, y, col)
		}
	}
	for i := 0; i <= 8; i++ { // lane lines
		y := 380 + int(math.Pow(float64(i)/8, 1.4)*float64(h-380))
		c.rect(0, y, w, y+2+i/3, color.RGBA{245, 245, 240, 255})
	}
	for i, x := range []int{260, 430, 600, 790} { // runners
		y := 470 + i*60
		shirt := []color.RGBA{{30, 80, 170, 255}, {240, 200, 40, 255}, {30, 130, 90, 255}, {200, 40, 60, 255}}[i]
		c.rect(x-14, y-90, x+14, y-40, shirt)
		c.disc(x, y-104, 14, color.RGBA{230, 190, 160, 255})
		c.rect(x-12, y-40, x-2, y, color.RGBA{35, 35, 45, 255})
		c.rect(x+4, y-40, x+14, y-8, color.RGBA{35, 35, 45, 255})
	}
	c.save("sports-meet.jpg")
}

// roboticsTeam: a robot on a contest table under hall lights.
func roboticsTeam() {
	rng := rand.New(rand.NewPCG(3, 4))
	c := newCanvas()
	c.sky(color.RGBA{36, 40, 58, 255}, color.RGBA{70, 78, 104, 255}, h)
	for x := 80; x < w; x += 160 { // hall lights
		c.disc(x, 60, 22, color.RGBA{255, 244, 210, 255})
	}
	c.rect(0, 520, w, h, color.RGBA{60, 64, 76, 255})
	c.shade(120, 470, 1080, 560, color.RGBA{30, 110, 180, 255}, color.RGBA{20, 70, 130, 255}) // the table
	for x := 160; x < 1060; x += 120 {
		c.rect(x, 480, x+60, 490, color.RGBA{245, 245, 245, 255})
	}
	// The robot: a chassis, wheels, a mast and an arm with a gripper.
	c.shade(430, 360, 770, 460, color.RGBA{210, 212, 218, 255}, color.RGBA{150, 152, 160, 255})
	for _, x := range []int{470, 730} {
		c.disc(x, 466, 30, color.RGBA{25, 25, 28, 255})
		c.disc(x, 466, 10, color.RGBA{120, 120, 126, 255})
	}
	c.rect(580, 200, 610, 360, color.RGBA{190, 192, 198, 255})
	c.rect(600, 210, 820, 232, color.RGBA{230, 120, 30, 255})
	c.rect(800, 232, 812, 290, color.RGBA{80, 80, 86, 255})
	c.rect(830, 232, 842, 290, color.RGBA{80, 80, 86, 255})
	c.rect(795, 290, 850, 330, color.RGBA{235, 190, 40, 255}) // the parcel it carries
	c.disc(520, 400, 8, color.RGBA{60, 230, 90, 255})
	// Team members on either side.
	for _, x := range []int{200, 1000} {
		c.rect(x-40, 300, x+40, 520, color.RGBA{150, 30, 40, 255})
		c.disc(x, 270, 34, color.RGBA{225, 185, 150, 255})
		c.disc(x, 252, 30, color.RGBA{30, 26, 24, 255})
	}
	_ = rng
	c.save("robotics-team.jpg")
}

func main() {
	sportsMeet()
	roboticsTeam()
}
