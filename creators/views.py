from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def dashboard(request):
    creator = getattr(request.user, "creator", None)
    return render(request, "creators/dashboard.html", {"creator": creator})
