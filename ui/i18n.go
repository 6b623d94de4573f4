package ui

import (
	"embed"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

// translations holds one JSON file per language, named by its language tag.
// Fyne picks the one closest to the system locale, English when none is.
//
//go:embed translation
var translations embed.FS

var loadTranslationsOnce sync.Once

// loadTranslations registers the studio's translations with Fyne, once.
func loadTranslations() {
	loadTranslationsOnce.Do(func() {
		if err := lang.AddTranslationsFS(translations, "translation"); err != nil {
			fyne.LogError("ui: load translations", err)
		}
	})
}

// tr returns the text for key in the person's language, filled in from data
// (a map or struct) when the text has {{.Fields}}. A key without a text
// shows as itself, which the translation tests look for.
func tr(key string, data ...any) string {
	return lang.X(key, key, data...)
}

// trn is tr for texts that change with a count, such as "1 image" and
// "2 images". The count is also available to the text as {{.Count}}.
func trn(key string, count int) string {
	return lang.XN(key, key, count, map[string]any{"Count": count})
}
