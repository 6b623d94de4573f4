package main

/*
#cgo LDFLAGS: -lX11 -lXtst
#include <stdlib.h>
#include <string.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/keysym.h>
#include <X11/extensions/XTest.h>

// ignoreErrors keeps a failed request, such as reading a window that has
// just closed, from ending the program: the call reports it instead.
static int ignoreErrors(Display *d, XErrorEvent *e) { return 0; }

static Display *openDisplay(const char *name) {
	XSetErrorHandler(ignoreErrors);
	return XOpenDisplay(name);
}

// grab copies a rectangle of the window's pixels into out, which holds
// w*h*4 bytes, and returns 0 if the window cannot be read.
static int grab(Display *d, Window win, int x, int y, int w, int h, unsigned char *out) {
	XImage *img = XGetImage(d, win, x, y, w, h, AllPlanes, ZPixmap);
	if (!img) return 0;
	for (int j = 0; j < h; j++) {
		for (int i = 0; i < w; i++) {
			unsigned long p = XGetPixel(img, i, j);
			unsigned char *o = out + 4 * (j * w + i);
			o[0] = p >> 16; o[1] = p >> 8; o[2] = p; o[3] = 255;
		}
	}
	XDestroyImage(img);
	return 1;
}

static void rootPosition(Display *d, Window win, int *x, int *y) {
	Window child;
	XTranslateCoordinates(d, win, DefaultRootWindow(d), 0, 0, x, y, &child);
}

static void pointerTo(Display *d, int x, int y) {
	XTestFakeMotionEvent(d, -1, x, y, CurrentTime);
	XFlush(d);
}

static void click(Display *d) {
	XTestFakeButtonEvent(d, 1, True, CurrentTime);
	XTestFakeButtonEvent(d, 1, False, CurrentTime);
	XFlush(d);
}

static void pressSpace(Display *d, Window win) {
	XSetInputFocus(d, win, RevertToParent, CurrentTime);
	KeyCode k = XKeysymToKeycode(d, XK_space);
	XTestFakeKeyEvent(d, k, True, CurrentTime);
	XTestFakeKeyEvent(d, k, False, CurrentTime);
	XFlush(d);
}

// askToClose sends the window manager's close request, as a title bar's
// close button would.
static void askToClose(Display *d, Window win) {
	XEvent ev;
	memset(&ev, 0, sizeof ev);
	ev.xclient.type = ClientMessage;
	ev.xclient.window = win;
	ev.xclient.message_type = XInternAtom(d, "WM_PROTOCOLS", False);
	ev.xclient.format = 32;
	ev.xclient.data.l[0] = XInternAtom(d, "WM_DELETE_WINDOW", False);
	ev.xclient.data.l[1] = CurrentTime;
	XSendEvent(d, win, False, NoEventMask, &ev);
	XFlush(d);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"image"
	"unsafe"
)

// display is a connection to an X server and one window on it, driven
// through the XTest extension as a person at the keyboard and mouse would.
type display struct {
	conn   *C.Display
	window C.Window
}

func openDisplay(name string, window uint64) (*display, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	conn := C.openDisplay(cname)
	if conn == nil {
		return nil, fmt.Errorf("measureui: cannot open X display %q", name)
	}
	return &display{conn: conn, window: C.Window(window)}, nil
}

func (d *display) close() { C.XCloseDisplay(d.conn) }

// grab reads a rectangle of the window's pixels as RGBA bytes.
func (d *display) grab(r image.Rectangle) ([]byte, error) {
	out := make([]byte, 4*r.Dx()*r.Dy())
	ok := C.grab(d.conn, d.window, C.int(r.Min.X), C.int(r.Min.Y), C.int(r.Dx()), C.int(r.Dy()),
		(*C.uchar)(unsafe.Pointer(&out[0])))
	if ok == 0 {
		return nil, errors.New("measureui: cannot read the window's pixels")
	}
	return out, nil
}

// pointerTo moves the pointer to a point of the window.
func (d *display) pointerTo(p image.Point) {
	var x, y C.int
	C.rootPosition(d.conn, d.window, &x, &y)
	C.pointerTo(d.conn, x+C.int(p.X), y+C.int(p.Y))
}

// click presses and releases the left mouse button where the pointer is.
func (d *display) click() { C.click(d.conn) }

// pressSpace gives the window the keyboard and types a space.
func (d *display) pressSpace() { C.pressSpace(d.conn, d.window) }

// askToClose asks the window to close, as its title bar's button would.
func (d *display) askToClose() { C.askToClose(d.conn, d.window) }
