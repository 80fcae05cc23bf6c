package xytesim

import "strconv"

// Page sizes. The hub caps per_page at 100 on devices, users and licences
// (above → 422), at 1000 on histories and at 500 on incidents (page_size).
// Other lists document no cap.
const (
	defaultPerPage   = 100
	maxPerPage       = 100
	maxHistoryPage   = 1000
	maxIncidentPage  = 500
	noPerPageCap     = 0
	maxPageNumberCap = 1 << 30
)

// pageReq is a requested page: 1-based number and size.
type pageReq struct {
	number, size int
}

// page reads page and the first present size parameter (default
// "per_page"). Non-integers, values below 1 and sizes over max (when
// max > 0) are 422.
func (c *call) page(max int, sizeNames ...string) (pageReq, error) {
	p := pageReq{number: 1, size: defaultPerPage}
	if v := c.q().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageNumberCap {
			return p, invalid("Invalid page parameter")
		}
		p.number = n
	}
	if len(sizeNames) == 0 {
		sizeNames = []string{"per_page"}
	}
	for _, name := range sizeNames {
		v := c.q().Get(name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, invalid("Invalid %s parameter", name)
		}
		if max > 0 && n > max {
			return p, invalid("Parameter %s must be between 1 and %d", name, max)
		}
		p.size = n
		break
	}
	return p, nil
}

// pageOf returns the requested page of items (never nil) and whether more
// follow.
func pageOf[T any](items []T, p pageReq) ([]T, bool) {
	start := len(items)
	if p.number-1 < len(items)/p.size+1 {
		start = min((p.number-1)*p.size, len(items))
	}
	end := start + min(p.size, len(items)-start)
	return append(make([]T, 0, end-start), items[start:end]...), end < len(items)
}

// mapSlice converts every item; the result is never nil, so empty lists
// encode as [].
func mapSlice[T, U any](items []T, f func(T) U) []U {
	out := make([]U, 0, len(items))
	for _, it := range items {
		out = append(out, f(it))
	}
	return out
}

// The list envelopes differ by endpoint family (reference §1.4); each
// endpoint picks one of the constructors below, so a family's shape can be
// flipped in one place.

// hasNextList is {"items": [...], "has_next_page": bool}: devices,
// histories, incidents.
type hasNextList[T any] struct {
	Items       []T  `json:"items"`
	HasNextPage bool `json:"has_next_page"`
}

// nextPageList is {"items": [...], "next_page": int|null}: users,
// licences, groups, models, edges, assets, notes.
type nextPageList[T any] struct {
	Items    []T  `json:"items"`
	NextPage *int `json:"next_page"`
}

// bothList carries both page keys: spaces (the hub's key is unknown) and
// commands.
type bothList[T any] struct {
	Items       []T  `json:"items"`
	HasNextPage bool `json:"has_next_page"`
	NextPage    *int `json:"next_page"`
}

// partnerList is the Partner API envelope.
type partnerList[T any] struct {
	Data     []T          `json:"data"`
	PageInfo partnerPages `json:"page_info"`
}

type partnerPages struct {
	HasNext    bool `json:"has_next"`
	TotalCount int  `json:"total_count"`
}

// partnerItem is the Partner API's wrapper for a single entity: the docs
// show an array even for one device.
type partnerItem[T any] struct {
	Data []T `json:"data"`
}

func listHasNext[T, U any](all []T, p pageReq, view func(T) U) hasNextList[U] {
	items, more := pageOf(all, p)
	return hasNextList[U]{Items: mapSlice(items, view), HasNextPage: more}
}

func listNextPage[T, U any](all []T, p pageReq, view func(T) U) nextPageList[U] {
	items, more := pageOf(all, p)
	return nextPageList[U]{Items: mapSlice(items, view), NextPage: nextNumber(p, more)}
}

func listBoth[T, U any](all []T, p pageReq, view func(T) U) bothList[U] {
	items, more := pageOf(all, p)
	return bothList[U]{
		Items: mapSlice(items, view), HasNextPage: more, NextPage: nextNumber(p, more),
	}
}

func listPartner[T, U any](all []T, p pageReq, view func(T) U) partnerList[U] {
	items, more := pageOf(all, p)
	return partnerList[U]{
		Data:     mapSlice(items, view),
		PageInfo: partnerPages{HasNext: more, TotalCount: len(all)},
	}
}

// nextNumber is the next page number, or nil on the last page.
func nextNumber(p pageReq, more bool) *int {
	if !more {
		return nil
	}
	n := p.number + 1
	return &n
}
