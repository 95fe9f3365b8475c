from django import forms

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label="数据文件（.xlsx 或 .csv）")
    dry_run = forms.BooleanField(label="只校验并列出差异，不入库", required=False)

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError("只能上传 .xlsx 或 .csv 文件。")
        if file.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件不能超过 20 MB。")
        return file
