package label

// The photo library's labels (services/desk/media.go), kept apart from
// labels.go to keep that file short; init adds them to zh and en.
var mediaZh = map[string]string{
	"title.media":          "图片库",
	"nav.media":            "图片库",
	"media.upload":         "上传图片",
	"media.file":           "图片文件（JPEG、PNG、WebP 或 GIF，不超过 3 MB）",
	"media.alt_zh":         "中文替代文字（图片内容，供看不到图片的读者）",
	"media.alt_en":         "英文替代文字",
	"media.credit":         "摄影或来源（可不填）",
	"media.hint":           "上传时会按相机方向摆正图片，去掉 EXIF 和 GPS 等信息，并生成各种尺寸。",
	"media.submit":         "上传",
	"media.file_missing":   "请选择一个图片文件。",
	"media.file_too_large": "文件超过 3 MiB，无法上传：请先缩小图片再上传，并重新填写说明文字。",
	"media.added":          "图片已存入图片库。",
	"media.added_title":    "刚上传的图片",
	"media.use":            "在正文中另起一段写下这一行，把说明换成图片说明：",
	"media.caption":        "图片说明",
	"media.caption_list":   "图片库（最新的在前）",
	"media.alt":            "替代文字",
	"media.size":           "尺寸",
	"media.figure":         "在正文中插入",
	"media.empty":          "图片库还是空的。",
	"media.thumb":          "缩略图",
	"media.insert":         "插入图片",
	"media.insert_help":    "选一张图片，它会另起一段插入正文光标处，图片说明已选中，直接输入即可替换。",
	"media.loading":        "正在载入图片库……",
	"media.more":           "更多图片见图片库",
}

var mediaEn = map[string]string{
	"title.media":          "Photo library",
	"nav.media":            "Photos",
	"media.upload":         "Upload a photo",
	"media.file":           "Image file (JPEG, PNG, WebP or GIF, at most 3 MB)",
	"media.alt_zh":         "Alternative text in Chinese (what the photo shows, for readers who cannot see it)",
	"media.alt_en":         "Alternative text in English",
	"media.credit":         "Photographer or source (optional)",
	"media.hint":           "The photo is turned the way the camera held it, stripped of its EXIF and GPS data, and resized for every screen.",
	"media.submit":         "Upload",
	"media.file_missing":   "Choose an image file.",
	"media.file_too_large": "The file is over 3 MiB and cannot be uploaded: make the image smaller, then fill in its texts again.",
	"media.added":          "The photo is in the library.",
	"media.added_title":    "The photo just uploaded",
	"media.use":            "Put this line in a paragraph of its own in the body, with your caption:",
	"media.caption":        "caption",
	"media.caption_list":   "Photo library (newest first)",
	"media.alt":            "Alternative text",
	"media.size":           "Size",
	"media.figure":         "In the body",
	"media.empty":          "The library is empty.",
	"media.thumb":          "Thumbnail",
	"media.insert":         "Insert a photo",
	"media.insert_help":    "Choose a photo: its line goes into the body at the cursor, in a paragraph of its own, with the caption selected so that typing replaces it.",
	"media.loading":        "Loading the photo library…",
	"media.more":           "More photos in the library",
}

func init() {
	for k, v := range mediaZh {
		zh[k] = v
	}
	for k, v := range mediaEn {
		en[k] = v
	}
}
