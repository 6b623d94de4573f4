package engine

// outbox carries messages from the trainer to a listener that may be slow.
// Sends never block for long: pending Loading, Progress and Samples messages
// are replaced by newer ones, and everything else queues in order. After
// close, the outbox delivers what is pending and then closes out.
type outbox struct {
	in  chan Message
	out chan Message
}

func newOutbox() *outbox {
	o := &outbox{in: make(chan Message), out: make(chan Message)}
	go o.run()
	return o
}

func (o *outbox) send(m Message) { o.in <- m }
func (o *outbox) close()         { close(o.in) }

// run is the outbox's goroutine. It ends when in is closed and every pending
// message has been taken, so the listener must drain out until it closes.
func (o *outbox) run() {
	defer close(o.out)
	var pending []Message
	in := o.in
	for in != nil || len(pending) > 0 {
		var out chan Message
		var next Message
		if len(pending) > 0 {
			out, next = o.out, pending[0]
		}
		select {
		case m, ok := <-in:
			if !ok {
				in = nil
				continue
			}
			pending = coalesce(pending, m)
		case out <- next:
			pending = pending[1:]
		}
	}
}

// coalesce appends m to pending, first dropping an older message that m
// supersedes.
func coalesce(pending []Message, m Message) []Message {
	for i, p := range pending {
		if supersedes(m, p) {
			pending = append(pending[:i], pending[i+1:]...)
			break
		}
	}
	return append(pending, m)
}

func supersedes(m, old Message) bool {
	switch m.(type) {
	case Loading:
		_, ok := old.(Loading)
		return ok
	case Progress:
		_, ok := old.(Progress)
		return ok
	case Samples:
		_, ok := old.(Samples)
		return ok
	}
	return false
}
